// How an attempt ends, in ONE statement for any number of attempts (the external agents' results
// are the hot path of bench:dispatch): each live attempt is locked and ended, its agent's
// performance counters move (succeeded or failed), and its task — locked after the attempt, as
// every path does — moves on:
// - succeeded: review (requiresReview) or done, with the result;
// - failed or expired: both count against maxRetries (an agent that went quiet failed its attempt
//   too): ready again while the budget lasts — a failure after a backoff, an expired lease at once,
//   since the lease already waited — then failed with the error and the count;
// - canceled: canceled.
// A task that moved on without this attempt (canceled, retried by hand) only gets its cost.
//
// The agent API's results go through a group commit (server/lib/group-commit.ts): those that arrive
// while the previous result statement is in flight end together, one round trip and one commit for
// all, at most one per task (a second result for a task waits for the next statement, which finds
// the attempt ended). Runs, lease expiry and cancellation end one attempt at a time through Prisma,
// with the same statement.
import type pg from "pg";
import type { DbClient } from "../../lib/db";
import { groupCommit, retryTransient, settleEach } from "../../lib/group-commit";
import { keyIn } from "../../lib/pg";
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
 * Where the statement runs: Prisma (a client or a transaction), or a raw `pg` pool (the agent
 * API's results). One statement serves both.
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

/** The statement's name: each connection of the raw pool parses and plans it once. */
const finishStatementName = (by: "attempt" | "agent") => `finish-attempts-by-${by}`;

/** JSON for a jsonb value sent as text: null stays SQL NULL. */
const jsonText = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Which live attempt a result ends: by its id, or the one an agent holds on a task. */
export type AttemptRef = { attemptId: string } | { taskId: string; agentId: string };

export interface FinishInput {
  attempt: AttemptRef;
  result: AttemptResult;
  now: Date;
  retryBackoffMs: number;
}

const DEFAULT_ERROR: Record<Exclude<AttemptOutcome, "succeeded">, string> = {
  failed: "the attempt failed",
  canceled: "its run was canceled",
  expired: "the agent's lease expired",
};

/** Retry delays by retry number (index 0 = the first retry), beyond any allowed maxRetries; the last one repeats. */
const retryDelaysParam = (baseMs: number) => `{${Array.from({ length: 32 }, (_, i) => retryDelayMs(i + 1, baseMs)).join(",")}}`;

type Row = TaskChange & {
  ord: string;
  attemptId: string;
  agentId: string;
  moved: boolean;
  retryDelayMs: number | null;
  hasDependents: boolean;
};

/**
 * Ends live attempts (launching or running) with their results, all referred to the same way and
 * with one `now` and backoff; each answer is null when its attempt had already ended (a repeated
 * report, or the run's end arriving after task.cancel), so a result acts once. At most one input
 * per task.
 */
export async function finishAttempts(
  sql: SqlExecutor,
  by: "attempt" | "agent",
  inputs: FinishInput[],
): Promise<(FinishedAttempt | null)[]> {
  if (inputs.length === 0) return [];
  const { now, retryBackoffMs } = inputs[0]!;
  const results = inputs.map((i) => i.result);
  const refs = inputs.map((i) => i.attempt);
  const rows = await sql.rows<Row>(
    FINISH_SQL[by],
    [
      results.map((r) => r.outcome),
      results.map((r) => r.summary ?? null),
      results.map((r) => jsonText(r.output)),
      results.map((r) => jsonText(r.artifacts)),
      results.map((r) => (r.outcome === "succeeded" ? null : (r.error ?? DEFAULT_ERROR[r.outcome]))),
      results.map((r) => r.costCents ?? 0),
      results.map((r) => r.tokensUsed ?? 0),
      now.toISOString(),
      retryDelaysParam(retryBackoffMs),
      refs.map((r) => ("attemptId" in r ? r.attemptId : r.taskId)),
      refs.map((r) => ("attemptId" in r ? null : r.agentId)),
    ],
    finishStatementName(by),
  );
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
  return inputs.map((input, i) => {
    const row = byOrd.get(i + 1);
    if (!row) return null;
    const { ord: _, attemptId, agentId, moved, retryDelayMs: delay, hasDependents, ...change } = row;
    const done = moved && change.status === "done";
    return {
      attemptId,
      agentId,
      outcome: input.result.outcome,
      change: moved ? change : null,
      retryAt: delay === null ? null : new Date(now.getTime() + delay),
      done,
      unblocks: done && hasDependents,
    };
  });
}

/** Ends one live attempt (see finishAttempts). */
export async function finishAttemptWith(sql: SqlExecutor, input: FinishInput): Promise<FinishedAttempt | null> {
  const by = "attemptId" in input.attempt ? "attempt" : "agent";
  const [finished] = await finishAttempts(sql, by, [input]);
  return finished ?? null;
}

interface Pending {
  pool: pg.Pool;
  input: FinishInput & { attempt: { taskId: string; agentId: string } };
  resolve(finished: FinishedAttempt | null): void;
  reject(err: unknown): void;
}

/**
 * Result statements in flight at once. One: results arriving while it runs wait for the next,
 * larger statement — in bench:dispatch, against two at once, PostgreSQL's CPU per round trip fell
 * 0.74–0.78 → 0.62–0.67 ms and results waited less, not more (p50 24–26 → 20–22 ms).
 */
const IN_FLIGHT = 1;
/** Most results in one statement. */
const MAX_BATCH = 100;
/** A batch that deadlocks (other statements locking the same rows in another order) is sent again whole. */
const TRANSIENT_TRIES = 3;

/** How many statements and results this process has sent through the group commit. */
export const finishBatchStats = { statements: 0, results: 0 };

const submit = groupCommit<Pending>({
  maxBatch: MAX_BATCH,
  distinctBy: (p) => p.input.attempt.taskId,
  inFlight: IN_FLIGHT,
  run: async (_lane, batch) => {
    // Tasks locked in one order by every batch.
    batch.sort((a, b) => (a.input.attempt.taskId < b.input.attempt.taskId ? -1 : 1));
    await settleEach(batch, async (results) => {
      const now = new Date();
      const inputs = results.map((p) => ({ ...p.input, now }));
      const finished = await retryTransient(TRANSIENT_TRIES, () => finishAttempts(pgExecutor(results[0]!.pool), "agent", inputs));
      finishBatchStats.statements += 1;
      finishBatchStats.results += results.length;
      results.forEach((p, i) => p.resolve(finished[i]!));
    });
  },
});

/**
 * An external agent's result for a task it holds, batched with the other results waiting (one lane
 * per retry backoff: a batch shares it). Null when the agent holds no live attempt on the task.
 */
export function finishAgentAttemptBatched(
  pool: pg.Pool,
  input: FinishInput & { attempt: { taskId: string; agentId: string } },
): Promise<FinishedAttempt | null> {
  return new Promise((resolve, reject) => submit(String(input.retryBackoffMs), { pool, input, resolve, reject }));
}

// Arrays, one element per attempt: $1 outcome, $2 summary, $3 output (JSON text), $4 artifacts
// (JSON text), $5 error, $6 cost, $7 tokens; then $8 now (ISO), $9 the retry delays; and the
// attempts: $10 their ids, or $10 the tasks and $11 the agents.
const finishSqlBy = (by: "attempt" | "agent") => {
  const at = `($8::timestamptz AT TIME ZONE 'UTC')`;
  return `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $10::text[], $11::text[])
           WITH ORDINALITY AS i(outcome, summary, output, artifacts, error, cost, tokens, ref, "refAgent", ord)
  ), live AS (
    SELECT i.*, a.id, a."taskId", a."agentId", a.number,
           GREATEST(0, round(extract(epoch FROM ${at} - coalesce(a."claimedAt", a."createdAt")) * 1000))::int AS "durationMs"
      FROM input i CROSS JOIN LATERAL (
        SELECT a.id, a."taskId", a."agentId", a.number, a."claimedAt", a."createdAt"
          FROM task_attempts a
         WHERE ${by === "attempt" ? `a.id = i.ref` : `a."taskId" = i.ref AND a."agentId" = i."refAgent"`} AND a.status IN ('launching', 'running')
         ORDER BY a.number DESC
         LIMIT 1
         FOR UPDATE) a
  ), task AS (
    SELECT t.id, t.status, t."requiresReview", t."maxRetries",
           (SELECT count(*) FROM task_attempts f
             WHERE f."taskId" = t.id AND f.status IN ('failed', 'expired') AND f.number > t."retryBaseline" AND f.id <> live.id)::int
             + CASE WHEN live.outcome IN ('failed', 'expired') AND live.number > t."retryBaseline" THEN 1 ELSE 0 END AS failures,
           EXISTS (SELECT 1 FROM task_dependencies d WHERE d."dependsOnId" = t.id) AS "hasDependents"
      FROM tasks t JOIN live ON live."taskId" = t.id
     ORDER BY t.id
     FOR UPDATE OF t
  ), decision AS (
    SELECT task.*, live.ord, live.outcome, live.summary, live.output, live.artifacts, live.error, live.cost, live."durationMs",
           CASE WHEN task.status <> 'running' THEN NULL
                WHEN live.outcome = 'succeeded' THEN CASE WHEN task."requiresReview" THEN 'review' ELSE 'done' END
                WHEN live.outcome = 'canceled' THEN 'canceled'
                WHEN task.failures <= task."maxRetries" THEN 'ready'
                ELSE 'failed' END::"TaskStatus" AS next,
           CASE WHEN task.status = 'running' AND live.outcome = 'failed' AND task.failures <= task."maxRetries"
                THEN ($9::int[])[LEAST(task.failures, cardinality($9::int[]))] END AS "retryDelayMs"
      FROM task JOIN live ON live."taskId" = task.id
  ), ended AS (
    UPDATE task_attempts a SET status = live.outcome::"TaskAttemptStatus", summary = live.summary, output = live.output::jsonb,
           error = live.error, "costCents" = live.cost, "tokensUsed" = live.tokens, "durationMs" = live."durationMs",
           "finishedAt" = ${at}, "leaseExpiresAt" = NULL, "updatedAt" = now()
      FROM live WHERE ${keyIn("a.id", "live.id")}
    RETURNING a.id
  ), performance AS (
    UPDATE agents g SET "tasksCompleted" = g."tasksCompleted" + s.completed, "tasksFailed" = g."tasksFailed" + s.failed,
           "totalDurationMs" = g."totalDurationMs" + s.duration, "totalCostCents" = g."totalCostCents" + s.cost
      FROM (SELECT "agentId", count(*) FILTER (WHERE outcome = 'succeeded')::int AS completed,
                   count(*) FILTER (WHERE outcome = 'failed')::int AS failed, sum("durationMs") AS duration, sum(cost) AS cost
              FROM live WHERE outcome IN ('succeeded', 'failed') GROUP BY "agentId") s
     WHERE g.id = s."agentId"
    RETURNING g.id
  ), changed AS (
    UPDATE tasks t SET
           status = coalesce(d.next, t.status),
           error = CASE WHEN d.next IS NULL THEN t.error
                        WHEN d.next = 'failed' THEN format('%s (after %s failed attempt%s)', d.error, d.failures, CASE WHEN d.failures = 1 THEN '' ELSE 's' END)
                        ELSE d.error END,
           "finishedAt" = CASE WHEN d.next IN ('done', 'failed', 'canceled') THEN ${at} ELSE t."finishedAt" END,
           "notBefore" = CASE WHEN d.next IS NULL THEN t."notBefore"
                              WHEN d."retryDelayMs" IS NULL THEN NULL
                              ELSE ${at} + d."retryDelayMs" * interval '1 millisecond' END,
           "assignedAgentId" = CASE WHEN d.next = 'ready' THEN NULL ELSE t."assignedAgentId" END,
           "resultSummary" = CASE WHEN d.next IS NOT NULL AND d.outcome = 'succeeded' THEN coalesce(d.summary, '') ELSE t."resultSummary" END,
           "resultOutput" = CASE WHEN d.next IS NOT NULL AND d.outcome = 'succeeded' THEN d.output::jsonb ELSE t."resultOutput" END,
           "resultArtifacts" = CASE WHEN d.next IS NOT NULL AND d.outcome = 'succeeded' THEN d.artifacts::jsonb ELSE t."resultArtifacts" END,
           "costCents" = t."costCents" + d.cost, "durationMs" = t."durationMs" + d."durationMs",
           "updatedAt" = CASE WHEN d.next IS NULL THEN t."updatedAt" ELSE now() END
      FROM decision d WHERE t.id = d.id
    RETURNING t.id, t."projectId", t."workspaceId", t.status, t.priority, t."assignedAgentId", t."attemptCount", t."updatedAt",
              t."pipelineId", d.ord, d.next IS NOT NULL AS moved, d."retryDelayMs", d."hasDependents"
  )
  SELECT live.id AS "attemptId", live."agentId", changed.* FROM live JOIN changed ON changed.ord = live.ord`;
};
/** The statement by attempt id and by task and agent (exported for its plan's test, sql-plans.test.ts). */
export const FINISH_SQL = { attempt: finishSqlBy("attempt"), agent: finishSqlBy("agent") };

/** The agent API's result statement ending nothing: an API process prepares it at start (lib/pg.ts, warmPgPool). */
export const finishWarmUp: pg.QueryConfig = {
  name: finishStatementName("agent"),
  text: FINISH_SQL.agent,
  values: [[], [], [], [], [], [], [], new Date(0).toISOString(), "{}", [], []],
};
