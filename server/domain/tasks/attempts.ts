// How an attempt ends, and what that does to its task and its agent: the one place results land,
// whether they come from a builtin agent's run, an external agent's API call or a signed webhook.
// - succeeded: the task goes to review (requiresReview) or done, with the result;
// - failed: the task is retried after a backoff while its retry budget lasts, then fails with the error;
// - canceled (its run was canceled by a person): the task is canceled;
// - expired (an external agent's lease ran out): counted against the retry budget like a failure —
//   the task returns to the queue at once while the budget lasts, then fails with the error.
// The agent's performance counters move with every succeeded or failed result. The whole of it is
// one SQL statement (finish-sql.ts).
import type pg from "pg";
import { AppError } from "../../lib/errors";
import { type DbClient, Prisma } from "../../lib/db";
import { finishAgentAttemptBatched, finishAttemptWith, prismaExecutor, type AttemptResult, type FinishedAttempt } from "./finish-sql";

export type { AttemptOutcome, AttemptResult, FinishedAttempt } from "./finish-sql";

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/**
 * Ends a live attempt (launching or running) with its result; null when it has already ended
 * (a repeated report, or the run's end arriving after task.cancel), so a result acts once.
 */
export async function finishAttempt(
  db: DbClient,
  input: { attemptId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  return finishAttemptWith(prismaExecutor(db), { ...input, attempt: { attemptId: input.attemptId } });
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
  await db.agent.update({
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
    UPDATE agents SET status = 'offline'
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

/**
 * An external agent's result for a task it holds: its live attempt ends with it, in a statement
 * shared with the other results arriving meanwhile (the agent API's hot path, finish-sql.ts). NOT_FOUND or CONFLICT when the agent holds no live attempt.
 */
export async function finishAgentAttempt(
  pool: pg.Pool,
  db: DbClient,
  input: { agentId: string; taskId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const finished = await finishAgentAttemptBatched(pool, { ...input, attempt: { taskId: input.taskId, agentId: input.agentId } });
  if (!finished) await liveAttemptOf(db, input); // throws the reason (or it ended meanwhile: null, a CONFLICT)
  return finished;
}
