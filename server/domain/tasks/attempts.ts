// How an attempt ends, and what that does to its task and its agent: the one place results land,
// whether they come from a builtin agent's run, an external agent's API call or a signed webhook.
// - succeeded: the task goes to review (requiresReview) or done, with the result;
// - failed: the task is retried after a backoff while its retry budget lasts, then fails with the error;
// - canceled (its run was canceled by a person): the task is canceled;
// - expired (an external agent's lease ran out): the task returns to the queue.
// The agent's performance counters move with every succeeded or failed result.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import { retryDelayMs, type TaskAttemptStatus, type TaskStatus } from "@shared/task-rules";
import { changeSelect, type TaskChange } from "./tasks";

export type AttemptOutcome = Extract<TaskAttemptStatus, "succeeded" | "failed" | "canceled" | "expired">;

export interface AttemptResult {
  outcome: AttemptOutcome;
  summary?: string | null;
  output?: unknown;
  artifacts?: unknown;
  error?: string | null;
  costCents?: number;
  tokensUsed?: number;
}

export interface FinishedAttempt {
  attemptId: string;
  agentId: string;
  outcome: AttemptOutcome;
  change: TaskChange | null;
  /** When the task will be tried again (a failed attempt within the retry budget). */
  retryAt: Date | null;
  /** The task is done: tasks depending on it may be dispatchable now. */
  done: boolean;
}

interface LockedAttempt {
  id: string;
  taskId: string;
  agentId: string;
  status: TaskAttemptStatus;
  number: number;
  claimedAt: Date | null;
  createdAt: Date;
}

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/**
 * Ends a live attempt (launching or running) with its result; null when it has already ended
 * (a repeated report, or the run's end arriving after task.cancel), so a result acts once.
 */
export async function finishAttempt(
  db: DbClient,
  input: { attemptId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  return inTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<LockedAttempt[]>`
      SELECT id, "taskId", "agentId", status, number, "claimedAt", "createdAt" FROM task_attempts WHERE id = ${input.attemptId} FOR UPDATE`;
    const attempt = rows[0];
    if (!attempt || (attempt.status !== "launching" && attempt.status !== "running")) return null;
    const { result, now } = input;
    const durationMs = Math.max(0, now.getTime() - (attempt.claimedAt ?? attempt.createdAt).getTime());
    const costCents = result.costCents ?? 0;
    await tx.taskAttempt.update({
      where: { id: attempt.id },
      data: {
        status: result.outcome,
        summary: result.summary ?? null,
        output: json(result.output),
        error: result.error ?? null,
        costCents,
        tokensUsed: result.tokensUsed ?? 0,
        durationMs,
        finishedAt: now,
        leaseExpiresAt: null,
      },
      select: { id: true },
    });
    if (result.outcome === "succeeded" || result.outcome === "failed") {
      await tx.agentProfile.update({
        where: { id: attempt.agentId },
        data: {
          ...(result.outcome === "succeeded" ? { tasksCompleted: { increment: 1 } } : { tasksFailed: { increment: 1 } }),
          totalDurationMs: { increment: durationMs },
          totalCostCents: { increment: costCents },
        },
        select: { id: true },
      });
    }
    const taskRows = await tx.$queryRaw<{ status: TaskStatus; requiresReview: boolean; maxRetries: number; retryBaseline: number }[]>`
      SELECT status, "requiresReview", "maxRetries", "retryBaseline" FROM tasks WHERE id = ${attempt.taskId} FOR UPDATE`;
    const task = taskRows[0]!;
    const spent = { costCents: { increment: costCents }, durationMs: { increment: durationMs } };
    const finished = (change: TaskChange | null, retryAt: Date | null = null): FinishedAttempt => ({
      attemptId: attempt.id,
      agentId: attempt.agentId,
      outcome: result.outcome,
      change,
      retryAt,
      done: change?.status === "done",
    });
    // The task moved on without this attempt (canceled, or retried by hand): only the attempt is recorded.
    if (task.status !== "running") {
      await tx.task.update({ where: { id: attempt.taskId }, data: spent, select: { id: true } });
      return finished(null);
    }
    let data: Prisma.TaskUncheckedUpdateInput;
    let retryAt: Date | null = null;
    switch (result.outcome) {
      case "succeeded":
        data = {
          status: task.requiresReview ? "review" : "done",
          resultSummary: result.summary ?? "",
          resultOutput: json(result.output),
          resultArtifacts: json(result.artifacts),
          error: null,
          ...(task.requiresReview ? {} : { finishedAt: now }),
        };
        break;
      case "failed": {
        const failures = await tx.taskAttempt.count({
          where: { taskId: attempt.taskId, status: "failed", number: { gt: task.retryBaseline } },
        });
        const message = result.error ?? "the attempt failed";
        if (failures <= task.maxRetries) {
          retryAt = new Date(now.getTime() + retryDelayMs(failures, input.retryBackoffMs));
          data = { status: "ready", notBefore: retryAt, assignedAgentId: null, error: message };
        } else {
          data = { status: "failed", error: `${message} (after ${failures} failed attempt${failures === 1 ? "" : "s"})`, finishedAt: now };
        }
        break;
      }
      case "canceled":
        data = { status: "canceled", error: result.error ?? "its run was canceled", finishedAt: now };
        break;
      case "expired":
        data = { status: "ready", notBefore: null, assignedAgentId: null, error: result.error ?? "the agent's lease expired" };
        break;
    }
    const change = await tx.task.update({ where: { id: attempt.taskId }, data: { ...data, ...spent }, select: changeSelect });
    return finished(change, retryAt);
  });
}

/** The live attempt an agent holds on a task, or NOT_FOUND (someone else's task, or not claimed). */
export async function liveAttemptOf(db: DbClient, input: { agentId: string; taskId: string }) {
  const attempt = await db.taskAttempt.findFirst({
    where: { taskId: input.taskId, agentId: input.agentId, status: { in: ["launching", "running"] } },
    select: { id: true, number: true },
    orderBy: { number: "desc" },
  });
  if (attempt) return attempt;
  const any = await db.taskAttempt.findFirst({
    where: { taskId: input.taskId, agentId: input.agentId },
    select: { status: true },
    orderBy: { number: "desc" },
  });
  if (any) throw new AppError("CONFLICT", `your attempt at this task already ended (${any.status})`, { field: "taskId" });
  throw new AppError("NOT_FOUND", "no task with that id is claimed by this agent", { field: "taskId" });
}

/** An external agent's progress note: stored on its attempt, and its lease renewed. */
export async function recordAttemptProgress(
  db: DbClient,
  input: { agentId: string; taskId: string; progress: unknown; now: Date; leaseSeconds: number },
) {
  const attempt = await liveAttemptOf(db, input);
  await db.taskAttempt.updateMany({
    where: { id: attempt.id, status: "running" },
    data: { progress: json(input.progress), leaseExpiresAt: new Date(input.now.getTime() + input.leaseSeconds * 1000) },
  });
  return { attemptId: attempt.id, number: attempt.number };
}

/** A heartbeat: the agent is seen now, in the status it reports, and the leases on its claims are renewed. */
export async function recordHeartbeat(
  db: DbClient,
  input: { agentId: string; status: "available" | "busy"; now: Date; leaseSeconds: number },
) {
  await db.agentProfile.update({
    where: { id: input.agentId },
    data: { heartbeatAt: input.now, status: input.status },
    select: { id: true },
  });
  const renewed = await db.taskAttempt.updateMany({
    where: { agentId: input.agentId, status: "running", runId: null },
    data: { leaseExpiresAt: new Date(input.now.getTime() + input.leaseSeconds * 1000) },
  });
  return { renewedLeases: renewed.count };
}

/** Polling external agents not heard from since `before` go offline (webhook agents are reached by push); returns their ids. */
export async function markSilentAgentsOffline(db: DbClient, input: { before: Date }) {
  return db.$queryRaw<{ id: string; workspaceId: string | null }[]>`
    UPDATE agent_profiles SET status = 'offline'
     WHERE kind = 'external' AND "webhookUrl" IS NULL AND status <> 'offline' AND ("heartbeatAt" IS NULL OR "heartbeatAt" < ${input.before})
    RETURNING id, "workspaceId"`;
}

/** Claimed attempts whose lease ran out (their agent went quiet): each is ended as expired by the caller. */
export async function expiredLeases(db: DbClient, input: { now: Date; limit: number }) {
  return db.taskAttempt.findMany({
    where: { status: "running", runId: null, leaseExpiresAt: { lt: input.now } },
    select: { id: true },
    take: input.limit,
  });
}

/** Run-backed attempts still live although their run ended (the run's end hook did not get to them). */
export async function attemptsWithEndedRuns(db: DbClient, input: { limit: number }) {
  return db.taskAttempt.findMany({
    where: { status: { in: ["launching", "running"] }, run: { status: { in: ["succeeded", "failed", "canceled", "expired"] } } },
    select: { id: true, runId: true },
    take: input.limit,
  });
}
