// How an attempt ends, and what that does to its task and its agent: the one place results land,
// whether they come from a builtin agent's run, an external agent's API call or a signed webhook.
// - succeeded: the task goes to review (requiresReview) or done, with the result;
// - failed: the task is retried after a backoff while its retry budget lasts, then fails with the error;
// - canceled (its run was canceled by a person): the task is canceled;
// - expired (an external agent's lease ran out): the task returns to the queue.
// The agent's performance counters move with every succeeded or failed result.
import type pg from "pg";
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import { retryDelayMs, type TaskAttemptStatus, type TaskStatus } from "@shared/task-rules";
import type { TaskChange } from "./tasks";

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
  done: boolean;
  /** The task is done and others depend on it: they may be dispatchable now. */
  unblocks: boolean;
}

/**
 * Where finishAttempt's statements run: a Prisma transaction, or a raw `pg` client inside BEGIN
 * (the agent API's result path, measured by bench:dispatch). One implementation serves both.
 */
export interface SqlExecutor {
  rows<T>(sql: string, params: unknown[]): Promise<T[]>;
}

export const prismaExecutor = (tx: Prisma.TransactionClient): SqlExecutor => ({
  rows: <T>(sql: string, params: unknown[]) => tx.$queryRawUnsafe<T[]>(sql, ...params),
});

export const pgExecutor = (client: pg.PoolClient): SqlExecutor => ({
  rows: async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[],
});

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/** JSON for a jsonb parameter (`$n::jsonb`): null stays SQL NULL. */
const jsonParam = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Ends a live attempt (launching or running) with its result; null when it has already ended
 * (a repeated report, or the run's end arriving after task.cancel), so a result acts once.
 */
export async function finishAttempt(
  db: DbClient,
  input: { attemptId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  return inTransaction(db, (tx) => finishAttemptWith(prismaExecutor(tx), input));
}

/** finishAttempt's statements, on an executor already inside a transaction. */
export async function finishAttemptWith(
  sql: SqlExecutor,
  input: { attemptId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const { result, now } = input;
  const [attempt] = await sql.rows<{ id: string; taskId: string; agentId: string; since: Date }>(
    `SELECT id, "taskId", "agentId", coalesce("claimedAt", "createdAt") AS since
       FROM task_attempts WHERE id = $1 AND status IN ('launching', 'running') FOR UPDATE`,
    [input.attemptId],
  );
  if (!attempt) return null;
  const durationMs = Math.max(0, now.getTime() - attempt.since.getTime());
  const costCents = result.costCents ?? 0;
  await sql.rows(
    `UPDATE task_attempts SET status = $2::"TaskAttemptStatus", summary = $3, output = $4::jsonb, error = $5, "costCents" = $6,
            "tokensUsed" = $7, "durationMs" = $8, "finishedAt" = $9, "leaseExpiresAt" = NULL, "updatedAt" = now()
      WHERE id = $1`,
    [
      attempt.id,
      result.outcome,
      result.summary ?? null,
      jsonParam(result.output),
      result.error ?? null,
      costCents,
      result.tokensUsed ?? 0,
      durationMs,
      now,
    ],
  );
  if (result.outcome === "succeeded" || result.outcome === "failed") {
    const ok = result.outcome === "succeeded" ? 1 : 0;
    await sql.rows(
      `UPDATE agents SET "tasksCompleted" = "tasksCompleted" + $2, "tasksFailed" = "tasksFailed" + $3,
              "totalDurationMs" = "totalDurationMs" + $4, "totalCostCents" = "totalCostCents" + $5
        WHERE id = $1`,
      [attempt.agentId, ok, 1 - ok, durationMs, costCents],
    );
  }
  const [task] = await sql.rows<{
    status: TaskStatus;
    requiresReview: boolean;
    maxRetries: number;
    failures: number;
    hasDependents: boolean;
  }>(
    `SELECT t.status, t."requiresReview", t."maxRetries",
            (SELECT count(*) FROM task_attempts f WHERE f."taskId" = t.id AND f.status = 'failed' AND f.number > t."retryBaseline")::int AS failures,
            EXISTS (SELECT 1 FROM task_dependencies d WHERE d."dependsOnId" = t.id) AS "hasDependents"
       FROM tasks t WHERE t.id = $1 FOR UPDATE`,
    [attempt.taskId],
  );
  const finished = (change: TaskChange | null, retryAt: Date | null = null): FinishedAttempt => ({
    attemptId: attempt.id,
    agentId: attempt.agentId,
    outcome: result.outcome,
    change,
    retryAt,
    done: change?.status === "done",
    unblocks: change?.status === "done" && task!.hasDependents,
  });
  // The task moved on without this attempt (canceled, or retried by hand): only the attempt and its cost are recorded.
  if (task!.status !== "running") {
    await sql.rows(`UPDATE tasks SET "costCents" = "costCents" + $2, "durationMs" = "durationMs" + $3 WHERE id = $1`, [
      attempt.taskId,
      costCents,
      durationMs,
    ]);
    return finished(null);
  }
  let retryAt: Date | null = null;
  let set: {
    status: TaskStatus;
    error: string | null;
    finishedAt: Date | null;
    notBefore: Date | null;
    clearAgent: boolean;
    result: boolean;
  };
  switch (result.outcome) {
    case "succeeded":
      set = {
        status: task!.requiresReview ? "review" : "done",
        error: null,
        finishedAt: task!.requiresReview ? null : now,
        notBefore: null,
        clearAgent: false,
        result: true,
      };
      break;
    case "failed": {
      const failures = task!.failures;
      const message = result.error ?? "the attempt failed";
      if (failures <= task!.maxRetries) {
        retryAt = new Date(now.getTime() + retryDelayMs(failures, input.retryBackoffMs));
        set = { status: "ready", error: message, finishedAt: null, notBefore: retryAt, clearAgent: true, result: false };
      } else {
        const error = `${message} (after ${failures} failed attempt${failures === 1 ? "" : "s"})`;
        set = { status: "failed", error, finishedAt: now, notBefore: null, clearAgent: false, result: false };
      }
      break;
    }
    case "canceled":
      set = {
        status: "canceled",
        error: result.error ?? "its run was canceled",
        finishedAt: now,
        notBefore: null,
        clearAgent: false,
        result: false,
      };
      break;
    case "expired":
      set = {
        status: "ready",
        error: result.error ?? "the agent's lease expired",
        finishedAt: null,
        notBefore: null,
        clearAgent: true,
        result: false,
      };
      break;
  }
  const [change] = await sql.rows<TaskChange>(
    `UPDATE tasks SET status = $2::"TaskStatus", error = $3, "finishedAt" = coalesce($4, "finishedAt"), "notBefore" = $5,
            "assignedAgentId" = CASE WHEN $6 THEN NULL ELSE "assignedAgentId" END,
            "resultSummary" = CASE WHEN $7 THEN $8 ELSE "resultSummary" END,
            "resultOutput" = CASE WHEN $7 THEN $9::jsonb ELSE "resultOutput" END,
            "resultArtifacts" = CASE WHEN $7 THEN $10::jsonb ELSE "resultArtifacts" END,
            "costCents" = "costCents" + $11, "durationMs" = "durationMs" + $12, "updatedAt" = now()
      WHERE id = $1
      RETURNING id, "projectId", "workspaceId", status, priority, "assignedAgentId", "attemptCount", "updatedAt"`,
    [
      attempt.taskId,
      set.status,
      set.error,
      set.finishedAt,
      set.notBefore,
      set.clearAgent,
      set.result,
      result.summary ?? "",
      jsonParam(result.output),
      jsonParam(result.artifacts),
      costCents,
      durationMs,
    ],
  );
  return finished(change!, retryAt);
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
 * An external agent's result for a task it holds: its live attempt ends with it, in one raw `pg`
 * transaction (the agent API's hot path). NOT_FOUND or CONFLICT when the agent holds no live attempt.
 */
export async function finishAgentAttempt(
  pool: pg.Pool,
  db: DbClient,
  input: { agentId: string; taskId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM task_attempts WHERE "taskId" = $1 AND "agentId" = $2 AND status IN ('launching', 'running') ORDER BY number DESC LIMIT 1`,
      [input.taskId, input.agentId],
    );
    const live = rows[0];
    const finished = live ? await finishAttemptWith(pgExecutor(client), { ...input, attemptId: live.id }) : null;
    await client.query("COMMIT");
    if (!live) await liveAttemptOf(db, input); // throws the reason
    return finished;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
