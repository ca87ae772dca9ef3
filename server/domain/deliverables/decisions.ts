// An operator's decisions on a deliverable's newest version: approve, deliver (approving first if
// needed), reject (a quality failure: the task is done again by another agent, and the failure
// counts against the first) and requestRevision (a revision task for the same agent). Each is one
// transaction holding the deliverable's row lock, so a decision acts once however many times it is
// sent at the same moment; each records who decided and when, on the version and the deliverable,
// and writes the project's activity feed. The command publishes and dispatches after the commit.
import { inTransaction, type DbClient, type Prisma } from "../../lib/db";
import { AppError } from "../../lib/errors";
import {
  DECISION_RESULT,
  DELIVERABLE_ACTIVITY,
  REVISION_PRIORITY,
  REVISION_TASK_TYPE,
  decisionRefusal,
  revisionDescription,
  type DeliverableDecision,
  type DeliverableStatus,
} from "@shared/deliverables";
import { canTransitionTask, type TaskStatus } from "@shared/task-rules";
import { enforceRevisionLimit } from "../billing/plans";
import type { BillingSettings } from "../billing/settings";
import { changeSelect, insertTask, type TaskChange } from "../tasks/tasks";
import { deliverableFor, type Actor } from "./access";
import { recordActivity } from "./activity";
import { meetSlas, openSla, type OpenedSla } from "./sla";
import { deliverableChangeSelect, type DeliverableChange } from "./results";

export interface DecisionResult {
  change: DeliverableChange;
  version: number;
  /** Tasks the decision moved (delivered → done, rejected → ready, a new revision task). */
  taskChanges: TaskChange[];
  /** A task to dispatch now: the revision task, or the rejected task going to another agent. */
  dispatchTaskId: string | null;
  opened: OpenedSla[];
}

interface LockedDeliverable {
  id: string;
  workspaceId: string;
  projectId: string;
  taskId: string;
  title: string;
  status: DeliverableStatus;
  latestVersion: number;
  revisionCount: number;
}

const conflict = (message: string, field = "id") => new AppError("CONFLICT", message, { field });

/** Locks the deliverable and its newest version, and checks the decision may be taken on it. */
async function lockForDecision(
  tx: Prisma.TransactionClient,
  input: { id: string; version?: number | undefined; decision: DeliverableDecision },
) {
  const [d] = await tx.$queryRaw<LockedDeliverable[]>`
    SELECT id, "workspaceId", "projectId", "taskId", title, status::text AS status, "latestVersion", "revisionCount"
      FROM deliverables WHERE id = ${input.id} FOR UPDATE`;
  if (!d) throw new AppError("NOT_FOUND", "no deliverable with that id among yours", { field: "id" });
  if (input.version !== undefined && input.version !== d.latestVersion) {
    throw conflict(
      input.version > d.latestVersion
        ? `version ${input.version} does not exist: the newest is version ${d.latestVersion}`
        : `version ${input.version} is not the newest: version ${d.latestVersion} arrived since, review it instead`,
      "version",
    );
  }
  const version = await tx.deliverableVersion.findUniqueOrThrow({
    where: { deliverableId_number: { deliverableId: d.id, number: d.latestVersion } },
    select: { id: true, number: true, status: true, taskId: true, agentId: true, body: true },
  });
  const refusal = decisionRefusal(version.status, input.decision);
  const verb = { approve: "approve", deliver: "deliver", reject: "reject", requestRevision: "request a revision of" }[input.decision];
  if (refusal) throw conflict(`cannot ${verb} version ${version.number} of "${d.title}": ${refusal}`);
  return { d, version };
}

async function decideVersion(
  tx: Prisma.TransactionClient,
  input: { versionId: string; decision: DeliverableDecision; actor: Actor; now: Date; notes?: string },
) {
  await tx.deliverableVersion.update({
    where: { id: input.versionId },
    data: { status: DECISION_RESULT[input.decision], decidedById: input.actor.userId, decidedAt: input.now, notes: input.notes ?? null },
    select: { id: true },
  });
}

/** Moves tasks waiting in review to `to`, under the task rules; returns their changes. */
async function moveReviewTasks(
  tx: Prisma.TransactionClient,
  taskIds: string[],
  to: TaskStatus,
  now: Date,
  extra: Prisma.TaskUpdateManyMutationInput = {},
) {
  if (!canTransitionTask("review", to)) throw new Error(`review → ${to} is not a task move`);
  const ids = [...new Set(taskIds)];
  await tx.$queryRaw`SELECT id FROM tasks WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  const moving = await tx.task.findMany({ where: { id: { in: ids }, status: "review" }, select: { id: true } });
  if (moving.length === 0) return [];
  await tx.task.updateMany({
    where: { id: { in: moving.map((t) => t.id) } },
    data: { status: to, ...(to === "done" ? { finishedAt: now } : {}), ...extra },
  });
  return tx.task.findMany({ where: { id: { in: moving.map((t) => t.id) } }, select: changeSelect });
}

/** The decision's row in the project's activity feed. */
async function noteDecision(
  tx: Prisma.TransactionClient,
  d: LockedDeliverable,
  input: { actor: Actor; now: Date; kind: string; version: number; data?: Record<string, unknown>; clientVisible?: boolean },
) {
  await recordActivity(tx, {
    workspaceId: d.workspaceId,
    projectId: d.projectId,
    actorId: input.actor.userId,
    kind: input.kind,
    subjectId: d.id,
    data: { version: input.version, title: d.title, ...input.data },
    clientVisible: input.clientVisible ?? false,
    now: input.now,
  });
}

type DecisionInput = { actor: Actor; id: string; version?: number | undefined; now: Date };

/** Checks the caller may decide, then runs the decision in one transaction. */
async function decide(db: DbClient, input: DecisionInput, fn: (tx: Prisma.TransactionClient) => Promise<DecisionResult>) {
  await deliverableFor(db, { actor: input.actor, id: input.id, decide: true });
  return inTransaction(db, fn);
}

export async function approveDeliverable(db: DbClient, input: DecisionInput): Promise<DecisionResult> {
  return decide(db, input, async (tx) => {
    const { d, version } = await lockForDecision(tx, { ...input, decision: "approve" });
    await decideVersion(tx, { versionId: version.id, decision: "approve", actor: input.actor, now: input.now });
    const change = await tx.deliverable.update({
      where: { id: d.id },
      data: { status: "approved", approvedById: input.actor.userId, approvedAt: input.now },
      select: deliverableChangeSelect,
    });
    await meetSlas(tx, { deliverableId: d.id, kinds: ["first_response"], now: input.now });
    await noteDecision(tx, d, { actor: input.actor, now: input.now, kind: DELIVERABLE_ACTIVITY.approved, version: version.number });
    return { change, version: version.number, taskChanges: [], dispatchTaskId: null, opened: [] };
  });
}

/** Delivers the newest version (approving it first if it still waits in review); its tasks are done. */
export async function deliverDeliverable(db: DbClient, input: DecisionInput): Promise<DecisionResult> {
  return decide(db, input, async (tx) => {
    const { d, version } = await lockForDecision(tx, { ...input, decision: "deliver" });
    const approving = version.status === "review";
    await decideVersion(tx, { versionId: version.id, decision: "deliver", actor: input.actor, now: input.now });
    const change = await tx.deliverable.update({
      where: { id: d.id },
      data: {
        status: "delivered",
        deliveredById: input.actor.userId,
        deliveredAt: input.now,
        ...(approving ? { approvedById: input.actor.userId, approvedAt: input.now } : {}),
      },
      select: deliverableChangeSelect,
    });
    await meetSlas(tx, { deliverableId: d.id, kinds: ["first_response", "delivery", "revision"], now: input.now });
    // The original task and every revision task whose result is a version of it are done (which unblocks their dependents).
    const versionTasks = await tx.deliverableVersion.findMany({ where: { deliverableId: d.id }, select: { taskId: true } });
    const taskChanges = await moveReviewTasks(tx, [d.taskId, ...versionTasks.map((v) => v.taskId)], "done", input.now);
    if (approving) {
      await noteDecision(tx, d, { actor: input.actor, now: input.now, kind: DELIVERABLE_ACTIVITY.approved, version: version.number });
    }
    await noteDecision(tx, d, {
      actor: input.actor,
      now: input.now,
      kind: DELIVERABLE_ACTIVITY.delivered,
      version: version.number,
      clientVisible: true,
    });
    return { change, version: version.number, taskChanges, dispatchTaskId: null, opened: [] };
  });
}

/**
 * A quality failure: the version and the deliverable are rejected with the reason; the agent that
 * made it may not take the task again (tasks.excludedAgentIds) and its record counts a failure
 * instead of a success; the task returns to ready for another agent, whose result is the next version.
 */
export async function rejectDeliverable(db: DbClient, input: DecisionInput & { reason: string }): Promise<DecisionResult> {
  return decide(db, input, async (tx) => {
    const { d, version } = await lockForDecision(tx, { ...input, decision: "reject" });
    const [task] = await tx.$queryRaw<
      { status: TaskStatus }[]
    >`SELECT status::text AS status FROM tasks WHERE id = ${version.taskId} FOR UPDATE`;
    if (!task || task.status !== "review") {
      throw conflict(`cannot reject version ${version.number}: its task is ${task?.status ?? "gone"}, so it cannot be done again`);
    }
    await decideVersion(tx, { versionId: version.id, decision: "reject", actor: input.actor, now: input.now, notes: input.reason });
    const change = await tx.deliverable.update({
      where: { id: d.id },
      data: { status: "rejected", rejectedById: input.actor.userId, rejectedAt: input.now, rejectReason: input.reason },
      select: deliverableChangeSelect,
    });
    await meetSlas(tx, { deliverableId: d.id, kinds: ["first_response"], now: input.now });
    const agentId = version.agentId;
    if (agentId) {
      await tx.$executeRaw`
        UPDATE agents SET "tasksFailed" = "tasksFailed" + 1, "tasksCompleted" = GREATEST(0, "tasksCompleted" - 1) WHERE id = ${agentId}`;
    }
    await tx.$executeRaw`
      UPDATE tasks SET status = 'ready', "assignedAgentId" = NULL, "notBefore" = NULL, "finishedAt" = NULL,
             error = ${`rejected: ${input.reason}`.slice(0, 2000)},
             "excludedAgentIds" = CASE WHEN ${agentId}::text IS NULL OR ${agentId}::text = ANY("excludedAgentIds") THEN "excludedAgentIds"
                                       ELSE array_append("excludedAgentIds", ${agentId}::text) END,
             "requestedAgentId" = CASE WHEN "requestedAgentId" = ${agentId}::text THEN NULL ELSE "requestedAgentId" END,
             "updatedAt" = now()
       WHERE id = ${version.taskId}`;
    const taskChange = await tx.task.findUniqueOrThrow({ where: { id: version.taskId }, select: changeSelect });
    await noteDecision(tx, d, {
      actor: input.actor,
      now: input.now,
      kind: DELIVERABLE_ACTIVITY.rejected,
      version: version.number,
      data: { reason: input.reason, agentId },
    });
    return { change, version: version.number, taskChanges: [taskChange], dispatchTaskId: version.taskId, opened: [] };
  });
}

/**
 * The version is rejected with the notes and a revision task goes to the same agent: priority 5,
 * the original task as its parent, the notes and an excerpt of the version as its description.
 * Its result arrives as the next version. The deliverable is a draft meanwhile (its next version is
 * being made), counts one more revision (a plan may cap them), and a revision SLA clock opens.
 */
export async function requestRevision(
  db: DbClient,
  input: DecisionInput & { notes: string; settings: BillingSettings },
): Promise<DecisionResult> {
  return decide(db, input, async (tx) => {
    const { d, version } = await lockForDecision(tx, { ...input, decision: "requestRevision" });
    await enforceRevisionLimit(tx, { workspaceId: d.workspaceId, revisions: d.revisionCount }, input.settings);
    const original = await tx.task.findUniqueOrThrow({
      where: { id: d.taskId },
      select: {
        projectId: true,
        workspaceId: true,
        title: true,
        tags: true,
        requiredSpecialization: true,
        maxRetries: true,
        metric: true,
        targetValue: true,
        agentConfig: true,
        project: { select: { slaPolicy: true } },
      },
    });
    const agent = version.agentId
      ? await tx.agent.findUnique({ where: { id: version.agentId }, select: { id: true, active: true } })
      : null;
    await decideVersion(tx, { versionId: version.id, decision: "requestRevision", actor: input.actor, now: input.now, notes: input.notes });
    const change = await tx.deliverable.update({
      where: { id: d.id },
      data: { status: "draft", revisionCount: { increment: 1 } },
      select: deliverableChangeSelect,
    });
    const revision = await insertTask(tx, {
      projectId: original.projectId,
      workspaceId: original.workspaceId,
      title: `Revision ${d.revisionCount + 1}: ${original.title}`.slice(0, 200),
      description: revisionDescription(input.notes, version),
      type: REVISION_TASK_TYPE,
      status: "ready",
      priority: REVISION_PRIORITY,
      tags: original.tags,
      requiredSpecialization: original.requiredSpecialization,
      parentTaskId: d.taskId,
      maxRetries: original.maxRetries,
      requestedAgentId: agent?.active ? agent.id : null,
      requiresReview: true,
      metric: original.metric,
      targetValue: original.targetValue,
      agentConfig: (original.agentConfig ?? {}) as Record<string, unknown>,
      dependsOn: [],
      createdById: input.actor.userId,
      deadline: null,
      now: input.now,
    });
    await meetSlas(tx, { deliverableId: d.id, kinds: ["first_response"], now: input.now });
    const opened = [
      await openSla(tx, {
        deliverableId: d.id,
        workspaceId: d.workspaceId,
        kind: "revision",
        priority: REVISION_PRIORITY,
        policy: original.project.slaPolicy,
        now: input.now,
      }),
    ];
    await noteDecision(tx, d, {
      actor: input.actor,
      now: input.now,
      kind: DELIVERABLE_ACTIVITY.revisionRequested,
      version: version.number,
      data: { notes: input.notes, revisionTaskId: revision.id, agentId: version.agentId },
    });
    const taskChange: TaskChange = {
      id: revision.id,
      projectId: revision.projectId,
      workspaceId: revision.workspaceId,
      status: revision.status,
      priority: revision.priority,
      assignedAgentId: revision.assignedAgentId,
      attemptCount: revision.attemptCount,
      updatedAt: revision.updatedAt,
    };
    return { change, version: version.number, taskChanges: [taskChange], dispatchTaskId: revision.id, opened };
  });
}
