// How an attempt ends, and what that does to its task and its agent: the one place results land,
// whether they come from a builtin agent's run, an external agent's API call or a signed webhook.
// - succeeded: the task goes to review (requiresReview) or done, with the result;
// - failed: the task is retried after a backoff while its retry budget lasts, then fails with the error;
// - canceled (its run was canceled by a person): the task is canceled;
// - expired (an external agent's lease ran out): counted against the retry budget like a failure —
//   the task returns to the queue at once while the budget lasts, then fails with the error.
// The agent's performance counters move with every succeeded or failed result. The whole of it is
// one SQL statement (finishAttemptWith).
import type pg from "pg";
import { AppError } from "../../lib/errors";
import { type DbClient, Prisma } from "../../lib/db";
import { retryDelayMs, type TaskAttemptStatus } from "@shared/task-rules";
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
 * Where finishAttempt's statement runs: Prisma (a client or a transaction), or a raw `pg` pool
 * (the agent API's result path, measured by bench:dispatch). One implementation serves both.
 */
export interface SqlExecutor {
  /** `name`: a statement run often, prepared once per connection where the executor can (raw `pg`). */
  rows<T>(sql: string, params: unknown[], name?: string): Promise<T[]>;
}

export const prismaExecutor = (tx: DbClient): SqlExecutor => ({
  rows: <T>(sql: string, params: unknown[]) => tx.$queryRawUnsafe<T[]>(sql, ...params),
});

export const pgExecutor = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
  rows: async <T>(sql: string, params: unknown[], name?: string) =>
    (await client.query(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows as T[],
});

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/** JSON for a jsonb parameter (`$n::jsonb`): null stays SQL NULL. */
const jsonParam = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Which live attempt a result ends: by its id, or the one an agent holds on a task. */
export type AttemptRef = { attemptId: string } | { taskId: string; agentId: string };

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

const DEFAULT_ERROR: Record<Exclude<AttemptOutcome, "succeeded">, string> = {
  failed: "the attempt failed",
  canceled: "its run was canceled",
  expired: "the agent's lease expired",
};

/** Retry delays by retry number (index 0 = the first retry), beyond any allowed maxRetries; the last one repeats. */
const retryDelaysParam = (baseMs: number) => `{${Array.from({ length: 32 }, (_, i) => retryDelayMs(i + 1, baseMs)).join(",")}}`;

/**
 * finishAttempt in ONE statement (the agent API's result is the hot path of bench:dispatch): the
 * live attempt is locked and ended, its agent's performance counters move (succeeded or failed),
 * and its task — locked after the attempt, as every path does — moves on:
 * - succeeded: review (requiresReview) or done, with the result;
 * - failed or expired: both count against maxRetries (an agent that went quiet failed its attempt
 *   too): ready again while the budget lasts — a failure after a backoff, an expired lease at once,
 *   since the lease already waited — then failed with the error and the count;
 * - canceled: canceled.
 * A task that moved on without this attempt (canceled, retried by hand) only gets its cost.
 */
export async function finishAttemptWith(
  sql: SqlExecutor,
  input: { attempt: AttemptRef; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const { result, now } = input;
  const by = "attemptId" in input.attempt ? "attempt" : "agent";
  const which = "attemptId" in input.attempt ? [input.attempt.attemptId] : [input.attempt.taskId, input.attempt.agentId];
  const [row] = await sql.rows<
    TaskChange & {
      attemptId: string;
      agentId: string;
      moved: boolean;
      retryDelayMs: number | null;
      hasDependents: boolean;
    }
  >(
    finishSql[by],
    [
      result.outcome,
      result.summary ?? null,
      jsonParam(result.output),
      jsonParam(result.artifacts),
      result.outcome === "succeeded" ? null : (result.error ?? DEFAULT_ERROR[result.outcome]),
      result.costCents ?? 0,
      result.tokensUsed ?? 0,
      now.toISOString(),
      retryDelaysParam(input.retryBackoffMs),
      ...which,
    ],
    `finish-attempt-by-${by}`,
  );
  if (!row) return null;
  const { attemptId, agentId, moved, retryDelayMs: delay, hasDependents, ...change } = row;
  const done = moved && change.status === "done";
  return {
    attemptId,
    agentId,
    outcome: result.outcome,
    change: moved ? change : null,
    retryAt: delay === null ? null : new Date(now.getTime() + delay),
    done,
    unblocks: done && hasDependents,
  };
}

// $1 outcome, $2 summary, $3 output, $4 artifacts, $5 error, $6 cost, $7 tokens, $8 now (ISO), $9 retry delays,
// then the attempt: $10 its id, or $10 the task and $11 the agent.
const finishSqlBy = (by: "attempt" | "agent") => {
  const at = `($8::timestamptz AT TIME ZONE 'UTC')`;
  return `
  WITH live AS (
    SELECT a.id, a."taskId", a."agentId", a.number,
           GREATEST(0, round(extract(epoch FROM ${at} - coalesce(a."claimedAt", a."createdAt")) * 1000))::int AS "durationMs"
      FROM task_attempts a
     WHERE ${by === "attempt" ? `a.id = $10` : `a."taskId" = $10 AND a."agentId" = $11`} AND a.status IN ('launching', 'running')
     ORDER BY a.number DESC
     LIMIT 1
     FOR UPDATE
  ), task AS (
    SELECT t.id, t.status, t."requiresReview", t."maxRetries",
           (SELECT count(*) FROM task_attempts f
             WHERE f."taskId" = t.id AND f.status IN ('failed', 'expired') AND f.number > t."retryBaseline" AND f.id <> live.id)::int
             + CASE WHEN $1 IN ('failed', 'expired') AND live.number > t."retryBaseline" THEN 1 ELSE 0 END AS failures,
           EXISTS (SELECT 1 FROM task_dependencies d WHERE d."dependsOnId" = t.id) AS "hasDependents"
      FROM tasks t JOIN live ON live."taskId" = t.id
     FOR UPDATE OF t
  ), decision AS (
    SELECT task.*, live."durationMs",
           CASE WHEN task.status <> 'running' THEN NULL
                WHEN $1 = 'succeeded' THEN CASE WHEN task."requiresReview" THEN 'review' ELSE 'done' END
                WHEN $1 = 'canceled' THEN 'canceled'
                WHEN task.failures <= task."maxRetries" THEN 'ready'
                ELSE 'failed' END::"TaskStatus" AS next,
           CASE WHEN task.status = 'running' AND $1 = 'failed' AND task.failures <= task."maxRetries"
                THEN ($9::int[])[LEAST(task.failures, cardinality($9::int[]))] END AS "retryDelayMs"
      FROM task JOIN live ON true
  ), ended AS (
    UPDATE task_attempts a SET status = $1::"TaskAttemptStatus", summary = $2::text, output = $3::jsonb, error = $5::text,
           "costCents" = $6::int, "tokensUsed" = $7::int, "durationMs" = live."durationMs", "finishedAt" = ${at},
           "leaseExpiresAt" = NULL, "updatedAt" = now()
      FROM live WHERE a.id = live.id
    RETURNING a.id
  ), performance AS (
    UPDATE agents g SET "tasksCompleted" = g."tasksCompleted" + CASE WHEN $1 = 'succeeded' THEN 1 ELSE 0 END,
           "tasksFailed" = g."tasksFailed" + CASE WHEN $1 = 'failed' THEN 1 ELSE 0 END,
           "totalDurationMs" = g."totalDurationMs" + live."durationMs", "totalCostCents" = g."totalCostCents" + $6::int
      FROM live WHERE g.id = live."agentId" AND $1 IN ('succeeded', 'failed')
    RETURNING g.id
  ), changed AS (
    UPDATE tasks t SET
           status = coalesce(d.next, t.status),
           error = CASE WHEN d.next IS NULL THEN t.error
                        WHEN d.next = 'failed' THEN format('%s (after %s failed attempt%s)', $5::text, d.failures, CASE WHEN d.failures = 1 THEN '' ELSE 's' END)
                        ELSE $5::text END,
           "finishedAt" = CASE WHEN d.next IN ('done', 'failed', 'canceled') THEN ${at} ELSE t."finishedAt" END,
           "notBefore" = CASE WHEN d.next IS NULL THEN t."notBefore"
                              WHEN d."retryDelayMs" IS NULL THEN NULL
                              ELSE ${at} + d."retryDelayMs" * interval '1 millisecond' END,
           "assignedAgentId" = CASE WHEN d.next = 'ready' THEN NULL ELSE t."assignedAgentId" END,
           "resultSummary" = CASE WHEN d.next IS NOT NULL AND $1 = 'succeeded' THEN coalesce($2::text, '') ELSE t."resultSummary" END,
           "resultOutput" = CASE WHEN d.next IS NOT NULL AND $1 = 'succeeded' THEN $3::jsonb ELSE t."resultOutput" END,
           "resultArtifacts" = CASE WHEN d.next IS NOT NULL AND $1 = 'succeeded' THEN $4::jsonb ELSE t."resultArtifacts" END,
           "costCents" = t."costCents" + $6::int, "durationMs" = t."durationMs" + d."durationMs",
           "updatedAt" = CASE WHEN d.next IS NULL THEN t."updatedAt" ELSE now() END
      FROM decision d WHERE t.id = d.id
    RETURNING t.id, t."projectId", t."workspaceId", t.status, t.priority, t."assignedAgentId", t."attemptCount", t."updatedAt",
              t."pipelineId", d.next IS NOT NULL AS moved, d."retryDelayMs", d."hasDependents"
  )
  SELECT live.id AS "attemptId", live."agentId", changed.* FROM live JOIN changed ON true`;
};
const finishSql = { attempt: finishSqlBy("attempt"), agent: finishSqlBy("agent") };

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
 * An external agent's result for a task it holds: its live attempt ends with it, in one statement
 * (the agent API's hot path). NOT_FOUND or CONFLICT when the agent holds no live attempt.
 */
export async function finishAgentAttempt(
  pool: pg.Pool,
  db: DbClient,
  input: { agentId: string; taskId: string; result: AttemptResult; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const finished = await finishAttemptWith(pgExecutor(pool), { ...input, attempt: { taskId: input.taskId, agentId: input.agentId } });
  if (!finished) await liveAttemptOf(db, input); // throws the reason (or it ended meanwhile: null, a CONFLICT)
  return finished;
}
