// Reading deliverables: the list of a workspace or project, one deliverable with its versions, the
// review queue (the newest version of each deliverable awaiting a decision, most urgent SLA first)
// and a project's activity feed. Members and viewers read; outsiders get NOT_FOUND.
import type { DbClient, Prisma } from "../../lib/db";
import { AWAITING_STATUSES, type DeliverableStatus } from "@shared/deliverables";
import { OPEN_SLA_STATES } from "@shared/sla";
import { projectFor } from "../projects";
import { deliverableFor, requireDeliverableAccess, type Actor } from "./access";

const person = { select: { id: true, name: true } } as const;

export const deliverableSelect = {
  id: true,
  workspaceId: true,
  projectId: true,
  taskId: true,
  title: true,
  status: true,
  latestVersion: true,
  revisionCount: true,
  agentId: true,
  approvedAt: true,
  deliveredAt: true,
  rejectedAt: true,
  rejectReason: true,
  rating: true,
  ratingComment: true,
  ratedAt: true,
  createdAt: true,
  updatedAt: true,
  project: { select: { id: true, name: true } },
  task: { select: { id: true, title: true, priority: true, status: true } },
  agent: { select: { id: true, name: true, kind: true } },
  approvedBy: person,
  deliveredBy: person,
  rejectedBy: person,
  ratedBy: person,
} satisfies Prisma.DeliverableSelect;

export const versionSelect = {
  id: true,
  deliverableId: true,
  number: true,
  taskId: true,
  attemptId: true,
  runId: true,
  agentId: true,
  title: true,
  body: true,
  output: true,
  files: true,
  status: true,
  notes: true,
  decidedAt: true,
  createdAt: true,
  agent: { select: { id: true, name: true, kind: true } },
  decidedBy: person,
  task: { select: { id: true, title: true, type: true, status: true } },
} satisfies Prisma.DeliverableVersionSelect;

const slaSelect = {
  id: true,
  kind: true,
  state: true,
  startsAt: true,
  atRiskAt: true,
  dueAt: true,
  metAt: true,
  breachedAt: true,
} satisfies Prisma.DeliverableSlaSelect;

/** Clocks that still say something about urgency: open ones, and an overdue delivery (met only by delivering). */
const urgentClocks = {
  OR: [{ state: { in: [...OPEN_SLA_STATES] } }, { state: "breached", kind: "delivery" }],
} satisfies Prisma.DeliverableSlaWhereInput;

/** What is being done about a deliverable while no version awaits a decision: the open revision or redo task. */
async function workInProgress(db: DbClient, deliverables: { id: string; taskId: string; status: string }[]) {
  const waiting = deliverables.filter((d) => d.status === "draft" || d.status === "rejected");
  if (waiting.length === 0) return new Map<string, { taskId: string; status: string; type: string }>();
  const tasks = await db.task.findMany({
    where: {
      OR: [{ id: { in: waiting.map((d) => d.taskId) } }, { parentTaskId: { in: waiting.map((d) => d.taskId) }, type: "revision" }],
      status: { in: ["backlog", "ready", "running"] },
    },
    select: { id: true, parentTaskId: true, status: true, type: true },
    orderBy: { createdAt: "desc" },
  });
  const byOriginal = new Map<string, { taskId: string; status: string; type: string }>();
  for (const t of tasks) {
    const original = t.type === "revision" && t.parentTaskId ? t.parentTaskId : t.id;
    if (!byOriginal.has(original)) byOriginal.set(original, { taskId: t.id, status: t.status, type: t.type });
  }
  return new Map(waiting.map((d) => [d.id, byOriginal.get(d.taskId)!] as const).filter(([, w]) => w));
}

export async function listDeliverables(
  db: DbClient,
  input: {
    actor: Actor;
    workspaceId?: string | undefined;
    projectId?: string | undefined;
    status?: DeliverableStatus | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  let workspaceId = input.workspaceId;
  if (input.projectId) {
    const project = await projectFor(db, {
      userId: input.actor.userId,
      projectId: input.projectId,
      permission: "view",
      field: "projectId",
    });
    workspaceId = project.workspaceId;
  } else {
    await requireDeliverableAccess(db, {
      actor: input.actor,
      workspaceId: workspaceId!,
      decide: false,
      field: "workspaceId",
      what: "workspace",
    });
  }
  const rows = await db.deliverable.findMany({
    where: { workspaceId, ...(input.projectId ? { projectId: input.projectId } : {}), ...(input.status ? { status: input.status } : {}) },
    select: { ...deliverableSelect, slas: { where: urgentClocks, select: slaSelect, orderBy: { dueAt: "asc" } } },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, input.limit);
  const pending = await workInProgress(db, items);
  return {
    items: items.map((d) => ({ ...d, inProgress: pending.get(d.id) ?? null })),
    nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null,
  };
}

/** One deliverable with all its versions (newest first) and its SLA clocks. */
export async function getDeliverable(db: DbClient, input: { actor: Actor; id: string }) {
  await deliverableFor(db, { actor: input.actor, id: input.id, decide: false });
  const d = await db.deliverable.findUniqueOrThrow({
    where: { id: input.id },
    select: {
      ...deliverableSelect,
      versions: { select: versionSelect, orderBy: { number: "desc" } },
      slas: { select: slaSelect, orderBy: { startsAt: "asc" } },
    },
  });
  const pending = await workInProgress(db, [d]);
  return { ...d, inProgress: pending.get(d.id) ?? null };
}

export async function deliverableVersions(db: DbClient, input: { actor: Actor; id: string }) {
  await deliverableFor(db, { actor: input.actor, id: input.id, decide: false });
  return db.deliverableVersion.findMany({ where: { deliverableId: input.id }, select: versionSelect, orderBy: { number: "desc" } });
}

/**
 * The review queue: each deliverable awaiting a decision (review, or approved and not yet
 * delivered) with its newest version, the most urgent first — the earliest due open SLA clock
 * (an overdue delivery counts), then those without a clock, newest first.
 */
export async function reviewQueue(db: DbClient, input: { actor: Actor; workspaceId: string; limit: number }) {
  await requireDeliverableAccess(db, {
    actor: input.actor,
    workspaceId: input.workspaceId,
    decide: false,
    field: "workspaceId",
    what: "workspace",
  });
  const order = await db.$queryRaw<{ id: string; dueAt: Date | null }[]>`
    SELECT d.id, c."dueAt"
      FROM deliverables d
      LEFT JOIN LATERAL (
        SELECT min(s."dueAt") AS "dueAt" FROM deliverable_slas s
         WHERE s."deliverableId" = d.id
           AND (s.state IN ('on_track', 'at_risk') OR (s.state = 'breached' AND s.kind = 'delivery'))
      ) c ON true
     WHERE d."workspaceId" = ${input.workspaceId} AND d.status::text = ANY(${[...AWAITING_STATUSES]}::text[])
     ORDER BY c."dueAt" ASC NULLS LAST, d."updatedAt" DESC, d.id DESC
     LIMIT ${input.limit}`;
  if (order.length === 0) return [];
  const rows = await db.deliverable.findMany({
    where: { id: { in: order.map((o) => o.id) } },
    select: { ...deliverableSelect, slas: { where: urgentClocks, select: slaSelect, orderBy: { dueAt: "asc" } } },
  });
  const versions = await db.deliverableVersion.findMany({
    where: { OR: rows.map((d) => ({ deliverableId: d.id, number: d.latestVersion })) },
    select: versionSelect,
  });
  const byId = new Map(rows.map((d) => [d.id, d]));
  const versionOf = new Map(versions.map((v) => [v.deliverableId, v]));
  return order
    .map((o) => byId.get(o.id))
    .filter((d) => d !== undefined)
    .map((d) => ({ ...d, version: versionOf.get(d.id) ?? null, urgentSla: d.slas[0] ?? null }));
}

/** A project's activity feed, newest first. */
export async function projectActivity(
  db: DbClient,
  input: { actor: Actor; projectId: string; cursor?: string | undefined; limit: number },
) {
  await projectFor(db, { userId: input.actor.userId, projectId: input.projectId, permission: "view", field: "projectId" });
  const rows = await db.projectActivity.findMany({
    where: { projectId: input.projectId },
    select: {
      id: true,
      kind: true,
      subjectId: true,
      data: true,
      clientVisible: true,
      createdAt: true,
      actor: person,
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
}
