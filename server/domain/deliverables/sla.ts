// A deliverable's SLA clocks (shared/sla.ts): opened when the deliverable is created (first response,
// delivery) and when a revision is requested, met by the decisions that answer them. Both run inside
// the deliverable's own transaction; the watcher (server/jobs/deliverables) moves open clocks to at
// risk and breached as time passes (advanceSlas), and announces every change once (relaySlaAlerts).
//
// Every change of state is one guarded statement: open clocks only (a met clock never moves, a
// breached one never goes back), so two watchers, a duplicate job or a retry after a crash make one
// change, one activity row and one alert. The change marks the clock `alertPending` in the same
// statement; the alert is sent by whoever next relays, and cleared only then, so a worker killed
// between the change and its alert leaves the alert to the next sweep.
import { config } from "../../config";
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, type Prisma } from "../../lib/db";
import { slaClock, OPEN_SLA_STATES, type SlaKind, type SlaState } from "@shared/sla";
import { TASK_PRIORITY_MAX } from "@shared/task-priority";
import { TERMINAL_TASK_STATUSES } from "@shared/task-rules";
import type { TaskChange } from "../tasks/tasks";
import { requireWork } from "../work-access";

export interface OpenedSla {
  id: string;
  deliverableId: string;
  workspaceId: string;
  kind: SlaKind;
  atRiskAt: Date;
  dueAt: Date;
}

/**
 * Opens one clock; its thresholds come from the task's priority and the project's override. A minute
 * lasts `minuteMs` (SLA_MINUTE_MS unless given: tests and demos shorten it).
 */
export async function openSla(
  tx: DbClient,
  input: { deliverableId: string; workspaceId: string; kind: SlaKind; priority: number; policy: unknown; now: Date; minuteMs?: number },
): Promise<OpenedSla> {
  const clock = slaClock({
    kind: input.kind,
    priority: input.priority,
    policy: input.policy,
    startsAt: input.now,
    minuteMs: input.minuteMs ?? config.SLA_MINUTE_MS,
  });
  return tx.deliverableSla.create({
    data: { deliverableId: input.deliverableId, workspaceId: input.workspaceId, kind: input.kind, ...clock },
    select: { id: true, deliverableId: true, workspaceId: true, kind: true, atRiskAt: true, dueAt: true },
  });
}

/** A clock that changed state: what its activity row and its live alert say. */
export interface SlaChange {
  id: string;
  deliverableId: string;
  projectId: string;
  workspaceId: string;
  kind: SlaKind;
  state: SlaState;
  dueAt: Date;
  /** When it changed (atRiskSince, breachedAt or metAt). */
  at: Date;
}

const OPEN = OPEN_SLA_STATES as readonly string[];

/**
 * Meets the deliverable's open clocks of these kinds (a breached clock stays breached: it was late),
 * in one statement that also writes each one's `sla.met` activity. Returns the clocks met; their
 * alerts go out with the watcher's next relay (or the caller's: announceSlaAlerts).
 */
export async function meetSlas(tx: DbClient, input: { deliverableId: string; kinds: readonly SlaKind[]; now: Date }): Promise<SlaChange[]> {
  if (input.kinds.length === 0) return [];
  const rows = await tx.$queryRaw<SlaChangeRow[]>`
    WITH met AS (
      UPDATE deliverable_slas s
         SET state = 'met', "metAt" = ${input.now}, "alertPending" = true, "updatedAt" = ${input.now}
       WHERE s."deliverableId" = ${input.deliverableId}
         AND s.kind::text = ANY(${[...input.kinds]}::text[])
         AND s.state::text = ANY(${[...OPEN]}::text[])
      RETURNING s.id, s."deliverableId", s."workspaceId", s.kind, s.state, s."dueAt", s."metAt" AS at
    ), changed AS (
      SELECT met.*, d."projectId" FROM met JOIN deliverables d ON d.id = met."deliverableId"
    ), activity AS (
      INSERT INTO project_activities (id, "workspaceId", "projectId", kind, "subjectId", data, "createdAt")
      SELECT gen_random_uuid()::text, c."workspaceId", c."projectId", 'sla.met', c."deliverableId",
             jsonb_build_object('slaId', c.id, 'kind', c.kind, 'dueAt', c."dueAt", 'metAt', c.at), ${input.now}
        FROM changed c
    )
    SELECT id, "deliverableId", "projectId", "workspaceId", kind::text AS kind, state::text AS state, "dueAt", at FROM changed`;
  return rows;
}

type SlaChangeRow = SlaChange;

/** The priority an at-risk or breached clock gives its deliverable's task. */
export const SLA_RAISED_PRIORITY = TASK_PRIORITY_MAX;

/**
 * Moves open clocks past their thresholds at `now`: on track → at risk once `atRiskAt` has passed,
 * on track or at risk → breached once `dueAt` has (straight to breached when the watcher comes late:
 * one change, one alert). One statement does it all for up to `limit` clocks (or just `slaId`):
 * the change, each one's activity row (sla.at_risk / sla.breached), and the raise of the
 * deliverable's task (and its unfinished revision tasks) to SLA_RAISED_PRIORITY.
 *
 * The raise skips tasks whose priority a person set (priorityOverride): their choice stands, and the
 * operators who made it get the alert. It is not marked as an override either, so it stays derived.
 *
 * Clocks another transaction holds (a decision meeting them, another watcher) are skipped, not
 * waited for: that one finishes them, or the next sweep does.
 */
export async function advanceSlas(
  db: DbClient,
  input: { now: Date; slaId?: string; limit: number },
): Promise<{ changed: SlaChange[]; raised: TaskChange[] }> {
  const now = input.now;
  const [row] = await db.$queryRaw<{ changed: RawChange[] | null; raised: RawTask[] | null }[]>`
    WITH due AS (
      SELECT s.id FROM deliverable_slas s
       WHERE s.state IN ('on_track', 'at_risk')
         AND (s."dueAt" <= ${now} OR (s.state = 'on_track' AND s."atRiskAt" <= ${now}))
         AND (${input.slaId ?? null}::text IS NULL OR s.id = ${input.slaId ?? null}::text)
       ORDER BY s."dueAt"
       LIMIT ${input.limit}
       FOR UPDATE SKIP LOCKED
    ), moved AS (
      UPDATE deliverable_slas s
         SET state = CASE WHEN s."dueAt" <= ${now} THEN 'breached'::"SlaState" ELSE 'at_risk'::"SlaState" END,
             "atRiskSince" = coalesce(s."atRiskSince", ${now}),
             "breachedAt" = CASE WHEN s."dueAt" <= ${now} THEN ${now} ELSE s."breachedAt" END,
             "alertPending" = true,
             "updatedAt" = ${now}
        FROM due
       WHERE s.id = due.id
         AND s.state IN ('on_track', 'at_risk')
         AND (s."dueAt" <= ${now} OR (s.state = 'on_track' AND s."atRiskAt" <= ${now}))
      RETURNING s.id, s."deliverableId", s."workspaceId", s.kind, s.state, s."dueAt",
                CASE WHEN s.state = 'breached' THEN s."breachedAt" ELSE s."atRiskSince" END AS at
    ), changed AS (
      SELECT m.*, d."projectId", d."taskId" FROM moved m JOIN deliverables d ON d.id = m."deliverableId"
    ), activity AS (
      INSERT INTO project_activities (id, "workspaceId", "projectId", kind, "subjectId", data, "createdAt")
      SELECT gen_random_uuid()::text, c."workspaceId", c."projectId", 'sla.' || c.state::text, c."deliverableId",
             jsonb_build_object('slaId', c.id, 'kind', c.kind, 'dueAt', c."dueAt"), ${now}
        FROM changed c
    ), raised AS (
      UPDATE tasks t
         SET priority = ${SLA_RAISED_PRIORITY}, "updatedAt" = ${now}
        FROM changed c
       WHERE (t.id = c."taskId" OR t."parentTaskId" = c."taskId")
         AND t.priority < ${SLA_RAISED_PRIORITY}
         AND NOT t."priorityOverride"
         AND t.status::text <> ALL(${[...TERMINAL_TASK_STATUSES]}::text[])
      RETURNING t.id, t."projectId", t."workspaceId", t.status, t.priority, t."assignedAgentId", t."attemptCount", t."updatedAt"
    )
    SELECT (SELECT json_agg(json_build_object('id', id, 'deliverableId', "deliverableId", 'projectId', "projectId",
                    'workspaceId', "workspaceId", 'kind', kind, 'state', state, 'dueAt', "dueAt", 'at', at)) FROM changed) AS changed,
           (SELECT json_agg(r) FROM raised r) AS raised`;
  return {
    changed: (row?.changed ?? []).map((c) => ({ ...c, dueAt: utc(c.dueAt), at: utc(c.at) })),
    raised: (row?.raised ?? []).map((t) => ({ ...t, updatedAt: utc(t.updatedAt) })),
  };
}

type RawChange = Omit<SlaChange, "dueAt" | "at"> & { dueAt: string; at: string };
type RawTask = Omit<TaskChange, "updatedAt"> & { updatedAt: string };
/** json_build_object writes timestamp(3) columns without a zone: they are UTC. */
const utc = (s: string) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);

/**
 * Sends the alerts of up to `limit` clocks whose change is not yet announced, and marks them
 * announced, in one transaction holding their rows: two relays never send the same alert, and a relay
 * that dies before its commit leaves them pending (sent again: at least once, never lost).
 * `send` is the transport's (the caller's), called once with the batch. Returns how many were sent.
 */
export async function relaySlaAlerts(db: DbClient, input: { limit: number; send: (changes: SlaChange[]) => void }): Promise<number> {
  return inTransaction(db, async (tx) => {
    const pending = await tx.$queryRaw<SlaChange[]>`
      SELECT s.id, s."deliverableId", d."projectId", s."workspaceId", s.kind::text AS kind, s.state::text AS state, s."dueAt",
             coalesce(CASE s.state WHEN 'met' THEN s."metAt" WHEN 'breached' THEN s."breachedAt" ELSE s."atRiskSince" END,
                      s."updatedAt") AS at
        FROM deliverable_slas s JOIN deliverables d ON d.id = s."deliverableId"
       WHERE s."alertPending"
       ORDER BY s."updatedAt", s.id
       LIMIT ${input.limit}
         FOR UPDATE OF s SKIP LOCKED`;
    if (pending.length === 0) return 0;
    input.send(pending);
    await tx.$executeRaw`UPDATE deliverable_slas SET "alertPending" = false WHERE id = ANY(${pending.map((p) => p.id)}::text[])`;
    return pending.length;
  });
}

// ── reads ──

const slaView = {
  id: true,
  deliverableId: true,
  workspaceId: true,
  kind: true,
  state: true,
  startsAt: true,
  atRiskAt: true,
  dueAt: true,
  metAt: true,
  atRiskSince: true,
  breachedAt: true,
} satisfies Prisma.DeliverableSlaSelect;

const withDeliverable = {
  ...slaView,
  deliverable: {
    select: {
      title: true,
      status: true,
      projectId: true,
      project: { select: { name: true } },
      task: { select: { id: true, priority: true } },
    },
  },
} satisfies Prisma.DeliverableSlaSelect;

type SlaWithDeliverable = Prisma.DeliverableSlaGetPayload<{ select: typeof withDeliverable }>;

function flatten(s: SlaWithDeliverable) {
  const { deliverable, ...sla } = s;
  return {
    ...sla,
    deliverableTitle: deliverable.title,
    deliverableStatus: deliverable.status,
    projectId: deliverable.projectId,
    projectName: deliverable.project.name,
    taskId: deliverable.task.id,
    taskPriority: deliverable.task.priority,
  };
}

/** How many clocks a workspace list returns at most (most urgent first). */
export const SLA_LIST_LIMIT = 500;

/** A workspace's clocks, optionally in one state, by due time (the workspace's members and viewers). */
export async function listSlas(db: DbClient, input: { userId: string; workspaceId: string; state?: SlaState }) {
  await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    permission: "view",
    field: "workspaceId",
    what: "workspace",
  });
  const rows = await db.deliverableSla.findMany({
    where: { workspaceId: input.workspaceId, ...(input.state ? { state: input.state } : {}) },
    select: withDeliverable,
    orderBy: [{ dueAt: "asc" }, { id: "asc" }],
    take: SLA_LIST_LIMIT,
  });
  return rows.map(flatten);
}

/**
 * The at-risk panel: clocks at risk or breached whose deliverable is not delivered yet (a breached
 * clock stays breached after a late delivery, but nobody need act on it any more), most urgent
 * first: the earliest due, so breached ones lead, longest overdue first.
 */
export async function atRiskSlas(db: DbClient, input: { userId: string; workspaceId: string }) {
  await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    permission: "view",
    field: "workspaceId",
    what: "workspace",
  });
  const rows = await db.deliverableSla.findMany({
    where: { workspaceId: input.workspaceId, state: { in: ["at_risk", "breached"] }, deliverable: { status: { not: "delivered" } } },
    select: withDeliverable,
    orderBy: [{ dueAt: "asc" }, { id: "asc" }],
    take: SLA_LIST_LIMIT,
  });
  return rows.map(flatten);
}

/** A deliverable's clocks, oldest first (NOT_FOUND for anyone outside its workspace). */
export async function slasForDeliverable(db: DbClient, input: { userId: string; deliverableId: string }) {
  const deliverable = await db.deliverable.findUnique({ where: { id: input.deliverableId }, select: { workspaceId: true } });
  const notFound = new AppError("NOT_FOUND", "no deliverable with that id among yours", { field: "deliverableId" });
  if (!deliverable) throw notFound;
  await requireWork(db, {
    workspaceId: deliverable.workspaceId,
    userId: input.userId,
    permission: "view",
    field: "deliverableId",
    what: "deliverable",
  });
  return db.deliverableSla.findMany({
    where: { deliverableId: input.deliverableId },
    select: slaView,
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
}
