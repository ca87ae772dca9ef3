// Tasks: create, change, cancel and retry, under the workspace's role rules; dependencies stay
// inside one project and never form a cycle. Each function returns the tasks it changed so the
// command can publish them (task:update) and wake dispatch.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import type { CreateTaskInput, UpdateTaskInput } from "@shared/work";
import { canTransitionTask, isTerminalTask, type TaskStatus } from "@shared/task-rules";
import { derivePriority } from "@shared/task-priority";
import { projectFor } from "../projects";
import { requireWork } from "../work-access";
import { lockPipelineForRetry, reopenAfterStepRetry } from "../pipelines/reopen";

export const taskSelect = {
  id: true,
  projectId: true,
  workspaceId: true,
  title: true,
  description: true,
  type: true,
  status: true,
  priority: true,
  priorityOverride: true,
  tags: true,
  requiredSpecialization: true,
  parentTaskId: true,
  maxRetries: true,
  attemptCount: true,
  notBefore: true,
  requestedAgentId: true,
  assignedAgentId: true,
  requiresReview: true,
  metric: true,
  targetValue: true,
  agentConfig: true,
  resultSummary: true,
  resultOutput: true,
  resultArtifacts: true,
  error: true,
  costCents: true,
  durationMs: true,
  pipelineId: true,
  stepKey: true,
  createdById: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
  dependsOn: { select: { dependsOnId: true } },
} satisfies Prisma.TaskSelect;

export type TaskRow = Prisma.TaskGetPayload<{ select: typeof taskSelect }>;

/** What a live `task:update` carries, and what commands need to act on a change. */
export interface TaskChange {
  id: string;
  projectId: string;
  workspaceId: string;
  status: TaskStatus;
  priority: number;
  assignedAgentId: string | null;
  attemptCount: number;
  updatedAt: Date;
  /** When known: null says the task is no pipeline's step, so pipeline hooks may skip it without a look. */
  pipelineId?: string | null;
}

export const changeSelect = {
  id: true,
  projectId: true,
  workspaceId: true,
  status: true,
  priority: true,
  assignedAgentId: true,
  attemptCount: true,
  updatedAt: true,
} satisfies Prisma.TaskSelect;

/** The change a task row (any select holding changeSelect's fields) makes, as task:update carries it. */
export function changeOf(row: TaskChange): TaskChange {
  const picked = Object.fromEntries(Object.keys(changeSelect).map((k) => [k, row[k as keyof TaskChange]]));
  return picked as unknown as TaskChange;
}

export const taskNotFound = (field = "id") => new AppError("NOT_FOUND", "no task with that id among yours", { field });

export function taskView(t: TaskRow) {
  const { dependsOn, ...rest } = t;
  return { ...rest, dependsOn: dependsOn.map((d) => d.dependsOnId) };
}

/** The task, if the user may do `permission` in its workspace (NOT_FOUND for outsiders). */
export async function taskFor(db: DbClient, input: { userId: string; taskId: string; permission: "view" | "editWork"; field?: string }) {
  const field = input.field ?? "id";
  const task = await db.task.findUnique({ where: { id: input.taskId }, select: taskSelect });
  if (!task) throw taskNotFound(field);
  await requireWork(db, { workspaceId: task.workspaceId, userId: input.userId, permission: input.permission, field, what: "task" });
  return task;
}

/** The agent may take tasks of this workspace (its own or a site-wide one, not archived). */
async function assertUsableAgent(db: DbClient, workspaceId: string, agentId: string, field = "agentId") {
  const agent = await db.agent.findUnique({ where: { id: agentId }, select: { workspaceId: true, active: true } });
  if (!agent || (agent.workspaceId !== null && agent.workspaceId !== workspaceId)) {
    throw new AppError("NOT_FOUND", "no agent with that id in this workspace", { field });
  }
  if (!agent.active) throw new AppError("CONFLICT", "the agent is archived: choose another", { field });
}

/** Every id names a task of the project (dependencies and parents stay inside one project). */
async function assertTasksOfProject(db: DbClient, projectId: string, ids: string[], field: string) {
  if (ids.length === 0) return;
  const found = await db.task.findMany({ where: { id: { in: ids }, projectId }, select: { id: true } });
  const known = new Set(found.map((t) => t.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing) throw new AppError("NOT_FOUND", `no task ${missing} in this project`, { field });
}

/**
 * Refuses dependencies that would close a cycle: none of `dependsOn` may (transitively) depend on
 * `taskId`. Callers hold the project's row lock, so two changes cannot each add half of a cycle.
 */
export async function assertNoCycle(tx: Prisma.TransactionClient, taskId: string, dependsOn: string[]) {
  if (dependsOn.includes(taskId)) throw new AppError("BAD_REQUEST", "dependsOn: a task cannot depend on itself", { field: "dependsOn" });
  if (dependsOn.length === 0) return;
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE reach(id) AS (
      SELECT unnest(${dependsOn}::text[])
      UNION
      SELECT d."dependsOnId" FROM task_dependencies d JOIN reach r ON d."taskId" = r.id
    )
    SELECT id FROM reach WHERE id = ${taskId} LIMIT 1`;
  if (rows.length > 0) {
    throw new AppError("BAD_REQUEST", "dependsOn: these dependencies would form a cycle (a task would wait on itself)", {
      field: "dependsOn",
    });
  }
}

const lockProject = (tx: Prisma.TransactionClient, projectId: string) =>
  tx.$queryRaw`SELECT 1 FROM projects WHERE id = ${projectId} FOR NO KEY UPDATE`;

export interface NewTask extends Omit<CreateTaskInput, "projectId" | "agentId"> {
  projectId: string;
  workspaceId: string;
  createdById: string;
  requestedAgentId?: string | null;
  pipelineId?: string | null;
  stepKey?: string | null;
}

/**
 * Inserts a task and its dependencies inside the caller's transaction, without permission checks
 * (callers have made them): the building block of createTask and of pipelines, which create a
 * step's tasks together. Dependencies must already exist; the priority is derived unless given.
 */
export async function insertTask(tx: Prisma.TransactionClient, input: NewTask & { deadline: Date | null; now: Date }) {
  const priority = input.priority ?? derivePriority({ type: input.type, deadline: input.deadline, now: input.now });
  const task = await tx.task.create({
    data: {
      projectId: input.projectId,
      workspaceId: input.workspaceId,
      title: input.title,
      description: input.description,
      type: input.type,
      status: input.status,
      priority,
      priorityOverride: input.priority !== undefined,
      tags: input.tags,
      requiredSpecialization: input.requiredSpecialization ?? null,
      parentTaskId: input.parentTaskId ?? null,
      maxRetries: input.maxRetries,
      requestedAgentId: input.requestedAgentId ?? null,
      requiresReview: input.requiresReview,
      metric: input.metric,
      targetValue: input.targetValue,
      agentConfig: input.agentConfig as Prisma.InputJsonObject,
      pipelineId: input.pipelineId ?? null,
      stepKey: input.stepKey ?? null,
      createdById: input.createdById,
    },
    select: { id: true },
  });
  if (input.dependsOn.length > 0) {
    await tx.taskDependency.createMany({ data: [...new Set(input.dependsOn)].map((dependsOnId) => ({ taskId: task.id, dependsOnId })) });
  }
  return tx.task.findUniqueOrThrow({ where: { id: task.id }, select: taskSelect });
}

export async function createTask(db: DbClient, input: CreateTaskInput & { userId: string; now: Date }) {
  const project = await projectFor(db, { userId: input.userId, projectId: input.projectId, permission: "editWork", field: "projectId" });
  if (project.status === "archived")
    throw new AppError("CONFLICT", "the project is archived: reopen it to add tasks", { field: "projectId" });
  if (input.agentId) await assertUsableAgent(db, project.workspaceId, input.agentId);
  return inTransaction(db, async (tx) => {
    await lockProject(tx, project.id);
    await assertTasksOfProject(tx, project.id, input.dependsOn, "dependsOn");
    if (input.parentTaskId) await assertTasksOfProject(tx, project.id, [input.parentTaskId], "parentTaskId");
    const { agentId, ...rest } = input;
    return insertTask(tx, {
      ...rest,
      workspaceId: project.workspaceId,
      createdById: input.userId,
      requestedAgentId: agentId ?? null,
      deadline: project.deadline,
    });
  });
}

export async function listTasks(
  db: DbClient,
  input: {
    userId: string;
    projectId?: string | undefined;
    workspaceId?: string | undefined;
    status?: TaskStatus | undefined;
    limit: number;
  },
) {
  let workspaceId = input.workspaceId;
  if (input.projectId) {
    const project = await projectFor(db, { userId: input.userId, projectId: input.projectId, permission: "view", field: "projectId" });
    workspaceId = project.workspaceId;
  } else if (workspaceId) {
    await requireWork(db, { workspaceId, userId: input.userId, permission: "view", field: "workspaceId", what: "workspace" });
  } else {
    throw new AppError("BAD_REQUEST", "name a projectId or a workspaceId", { field: "projectId" });
  }
  const tasks = await db.task.findMany({
    where: { workspaceId, ...(input.projectId ? { projectId: input.projectId } : {}), ...(input.status ? { status: input.status } : {}) },
    select: taskSelect,
    orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
    take: input.limit,
  });
  return tasks.map(taskView);
}

export const attemptSelect = {
  id: true,
  number: true,
  agentId: true,
  runId: true,
  status: true,
  contextSnapshot: true,
  claimedAt: true,
  leaseExpiresAt: true,
  progress: true,
  summary: true,
  output: true,
  error: true,
  tokenBudget: true,
  tokensUsed: true,
  costCents: true,
  durationMs: true,
  dispatchedById: true,
  createdAt: true,
  finishedAt: true,
  agent: { select: { id: true, name: true, kind: true } },
  run: { select: { id: true, status: true, goal: true, summary: true } },
} satisfies Prisma.TaskAttemptSelect;

/** A task with its attempts (context snapshot, run) and subtasks. */
export async function getTask(db: DbClient, input: { userId: string; taskId: string }) {
  const task = await taskFor(db, { userId: input.userId, taskId: input.taskId, permission: "view" });
  const [attempts, subtasks] = await Promise.all([
    db.taskAttempt.findMany({ where: { taskId: task.id }, select: attemptSelect, orderBy: { number: "asc" } }),
    db.task.findMany({ where: { parentTaskId: task.id }, select: { id: true, title: true, status: true }, orderBy: { createdAt: "asc" } }),
  ]);
  // The LLM tokens of all its attempts (each counted as its run's calls were made, within its token budget).
  const tokensUsed = attempts.reduce((sum, a) => sum + a.tokensUsed, 0);
  return { ...taskView(task), tokensUsed, attempts, subtasks };
}

export async function updateTask(db: DbClient, input: UpdateTaskInput & { userId: string; now: Date }) {
  const before = await taskFor(db, { userId: input.userId, taskId: input.id, permission: "editWork" });
  if (input.agentId) await assertUsableAgent(db, before.workspaceId, input.agentId);
  return inTransaction(db, async (tx) => {
    await lockProject(tx, before.projectId);
    const rows = await tx.$queryRaw<{ status: TaskStatus }[]>`SELECT status FROM tasks WHERE id = ${input.id} FOR UPDATE`;
    const status = rows[0]!.status;
    if (isTerminalTask(status)) {
      throw new AppError("CONFLICT", `the task is ${status}: retry it (task.retry) to change and run it again`, { field: "id" });
    }
    const data: Prisma.TaskUncheckedUpdateInput = {};
    if (input.status !== undefined && input.status !== status) {
      // review → done is approval; backlog ⇄ ready is planning. running and the ends come from dispatch and results.
      if (!canTransitionTask(status, input.status) || (input.status === "done" && status !== "review")) {
        throw new AppError("INVALID_TRANSITION", `a task cannot go from ${status} to ${input.status} by hand`, { field: "status" });
      }
      // A result that became a deliverable is done when the deliverable is delivered: one path, with its SLA and feed.
      if (input.status === "done" && (await tx.deliverableVersion.count({ where: { taskId: input.id } })) > 0) {
        throw new AppError("CONFLICT", "this task's result is a deliverable: deliver it from the review queue (deliverable.deliver)", {
          field: "status",
        });
      }
      data.status = input.status;
      if (input.status === "done") data.finishedAt = input.now;
    }
    if (input.title !== undefined) data.title = input.title;
    if (input.description !== undefined) data.description = input.description;
    if (input.tags !== undefined) data.tags = input.tags;
    if (input.requiredSpecialization !== undefined) data.requiredSpecialization = input.requiredSpecialization;
    if (input.maxRetries !== undefined) data.maxRetries = input.maxRetries;
    if (input.requiresReview !== undefined) data.requiresReview = input.requiresReview;
    if (input.metric !== undefined) data.metric = input.metric;
    if (input.targetValue !== undefined) data.targetValue = input.targetValue;
    if (input.agentConfig !== undefined) data.agentConfig = input.agentConfig as Prisma.InputJsonObject;
    if (input.agentId !== undefined) data.requestedAgentId = input.agentId;
    const type = input.type ?? before.type;
    if (input.type !== undefined) data.type = input.type;
    if (input.priority !== undefined && input.priority !== null) {
      data.priority = input.priority;
      data.priorityOverride = true;
    } else if (input.priority === null || (input.type !== undefined && !before.priorityOverride)) {
      const project = await tx.project.findUniqueOrThrow({ where: { id: before.projectId }, select: { deadline: true } });
      data.priority = derivePriority({ type, deadline: project.deadline, now: input.now });
      data.priorityOverride = false;
    }
    if (input.parentTaskId !== undefined) {
      if (input.parentTaskId === input.id)
        throw new AppError("BAD_REQUEST", "parentTaskId: a task cannot be its own parent", { field: "parentTaskId" });
      if (input.parentTaskId) await assertTasksOfProject(tx, before.projectId, [input.parentTaskId], "parentTaskId");
      data.parentTaskId = input.parentTaskId;
    }
    if (input.dependsOn !== undefined) {
      const wanted = [...new Set(input.dependsOn)];
      await assertTasksOfProject(tx, before.projectId, wanted, "dependsOn");
      await assertNoCycle(tx, input.id, wanted);
      await tx.taskDependency.deleteMany({ where: { taskId: input.id, dependsOnId: { notIn: wanted } } });
      await tx.taskDependency.createMany({ data: wanted.map((dependsOnId) => ({ taskId: input.id, dependsOnId })), skipDuplicates: true });
    }
    await tx.task.update({ where: { id: input.id }, data, select: { id: true } });
    return taskView(await tx.task.findUniqueOrThrow({ where: { id: input.id }, select: taskSelect }));
  });
}

/**
 * Cancels the task and its live attempt; returns the runs to stop (the command stops them, and
 * their end then finds the attempt already canceled).
 */
export async function cancelTask(db: DbClient, input: { userId: string; taskId: string; now: Date }) {
  await taskFor(db, { userId: input.userId, taskId: input.taskId, permission: "editWork" });
  return inTransaction(db, async (tx) => {
    const canceled = await cancelTaskIn(tx, { taskId: input.taskId, now: input.now, error: "canceled" });
    if (canceled.refused) throw new AppError("INVALID_TRANSITION", `the task is already ${canceled.refused}`, { field: "id" });
    return canceled;
  });
}

/**
 * Inside the caller's transaction: the task and its live attempts (a builtin agent's, whose run the
 * caller stops, or an external agent's, whose later result is then refused) end canceled. The
 * live attempts are locked before the task, in the order an attempt's result locks them.
 * `refused` names the task's status when it can no longer be canceled (nothing changed).
 */
export async function cancelTaskIn(
  tx: Prisma.TransactionClient,
  input: { taskId: string; now: Date; error: string },
): Promise<{ change: TaskChange; runIds: string[]; refused: null } | { refused: TaskStatus }> {
  const live = await tx.$queryRaw<{ id: string; runId: string | null }[]>`
    SELECT id, "runId" FROM task_attempts WHERE "taskId" = ${input.taskId} AND status IN ('launching', 'running') FOR UPDATE`;
  const rows = await tx.$queryRaw<{ status: TaskStatus }[]>`SELECT status FROM tasks WHERE id = ${input.taskId} FOR UPDATE`;
  const status = rows[0]!.status;
  if (!canTransitionTask(status, "canceled")) return { refused: status };
  await tx.taskAttempt.updateMany({
    where: { id: { in: live.map((a) => a.id) }, status: { in: ["launching", "running"] } },
    data: { status: "canceled", error: "the task was canceled", finishedAt: input.now, leaseExpiresAt: null },
  });
  const change = await tx.task.update({
    where: { id: input.taskId },
    data: { status: "canceled", finishedAt: input.now, error: input.error },
    select: changeSelect,
  });
  return { change, runIds: live.map((a) => a.runId).filter((id): id is string => id !== null), refused: null };
}

/**
 * A failed or canceled task goes back to ready with a fresh retry budget. A pipeline's step also
 * reopens the steps its failure stopped, and its failed pipeline runs again (pipelines/reopen.ts);
 * the changes returned are the task's first, then the reopened ones.
 */
export async function retryTask(db: DbClient, input: { userId: string; taskId: string }): Promise<TaskChange[]> {
  const task = await taskFor(db, { userId: input.userId, taskId: input.taskId, permission: "editWork" });
  return inTransaction(db, async (tx) => {
    const step = task.pipelineId ? { pipelineId: task.pipelineId, stepKey: task.stepKey } : null;
    const open = step ? await lockPipelineForRetry(tx, step) : "ready";
    const rows = await tx.$queryRaw<{ status: TaskStatus }[]>`SELECT status FROM tasks WHERE id = ${input.taskId} FOR UPDATE`;
    const status = rows[0]!.status;
    if (status !== "failed" && status !== "canceled") {
      throw new AppError("INVALID_TRANSITION", `only a failed or canceled task can be retried; this one is ${status}`, { field: "id" });
    }
    await tx.$executeRaw`
      UPDATE tasks SET status = ${open}::"TaskStatus", "notBefore" = NULL, error = NULL, "finishedAt" = NULL, "assignedAgentId" = NULL,
             "retryBaseline" = "attemptCount", "updatedAt" = now()
       WHERE id = ${input.taskId}`;
    const change = await tx.task.findUniqueOrThrow({ where: { id: input.taskId }, select: changeSelect });
    const reopened = step?.stepKey ? await reopenAfterStepRetry(tx, { pipelineId: step.pipelineId, stepKey: step.stepKey }) : [];
    if (reopened.length === 0) return [change];
    return [change, ...(await tx.task.findMany({ where: { id: { in: reopened } }, select: changeSelect }))];
  });
}

/** Moves a backlog task to ready (task.dispatch), pinning the operator's agent if one is named. */
export async function markReadyForDispatch(db: DbClient, input: { userId: string; taskId: string; agentId?: string | undefined }) {
  const task = await taskFor(db, { userId: input.userId, taskId: input.taskId, permission: "editWork" });
  if (input.agentId) await assertUsableAgent(db, task.workspaceId, input.agentId);
  return inTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ status: TaskStatus; excludedAgentIds: string[] }[]>`
      SELECT status, "excludedAgentIds" FROM tasks WHERE id = ${input.taskId} FOR UPDATE`;
    const { status, excludedAgentIds } = rows[0]!;
    if (status !== "backlog" && status !== "ready") {
      throw new AppError("INVALID_TRANSITION", `only a backlog or ready task can be dispatched; this one is ${status}`, { field: "id" });
    }
    if (input.agentId && excludedAgentIds.includes(input.agentId)) {
      throw new AppError(
        "CONFLICT",
        `agent ${input.agentId} is excluded from this task (a deliverable of theirs was rejected): choose another agent`,
        { field: "agentId" },
      );
    }
    return tx.task.update({
      where: { id: input.taskId },
      data: { status: "ready", notBefore: null, ...(input.agentId ? { requestedAgentId: input.agentId } : {}) },
      select: changeSelect,
    });
  });
}
