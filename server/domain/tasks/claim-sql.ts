// An external agent's claim of its next task (GET /api/agents/v1/tasks/next): the hot path of
// bench:dispatch, in raw SQL (server/lib/pg.ts). Claims of one workspace that arrive while its
// previous claim statement is in flight go out together as ONE statement (server/lib/group-commit.ts):
// one round trip, one commit, one PostgreSQL backend woken for many agents.
//
// The statement, for the batch's agents in arrival order:
//   1. stamps each eligible agent seen (active, external, of the workspace) — only if its row is
//      still the version the statement's snapshot saw (xmin). The agent's concurrency limit is
//      counted in that snapshot, so two claims of one agent must not overlap: a claim whose agent
//      row changed under it (the same agent's concurrent claim or result, in another process) takes
//      nothing and is sent again with a fresh snapshot, which sees the other's attempt;
//   2. locks, FOR UPDATE SKIP LOCKED, the best ready tasks of the workspace that one of the agents
//      with a free slot may take (its project active, its dependencies done, any backoff over, the
//      agent's specialization, not pinned to another agent, not in the task's excludedAgentIds;
//      highest priority, then oldest) — so claims in other processes never wait on these rows nor
//      take the same ones;
//   3. gives each agent, in arrival order, the best of those tasks still free that it may take;
//   4. moves the tasks to running, with their attempts and minimal context snapshots.
// Step 2 locks a bounded number of tasks (one per agent, plus a few), and skips the tasks other
// claims hold locked. So an agent may get nothing although a task is there for it: deeper in the
// queue than the bound, or locked by a concurrent statement that will not take it. The statement
// says so (a ready task it may take exists, locks aside), and such a claim is sent again — alone,
// where the bound holds only tasks it may take — so a claim finds a task whenever one is there for
// it, exactly as one claim at a time would.
import { randomUUID } from "node:crypto";
import type { QueryConfig } from "pg";
import type { PgClient } from "../../lib/pg";
import { groupCommit, retryTransient, settleEach } from "../../lib/group-commit";
import { contextSnapshotSql, dependenciesDoneSql, queueOrderSql, type ContextSnapshot } from "./context-sql";

export interface ClaimedTask {
  taskId: string;
  attemptId: string;
  attempt: number;
  leaseExpiresAt: Date;
  context: ContextSnapshot;
  tokenBudget: number | null;
  /** The pipeline the task is a step of, or null (its change then needs no pipeline look-up). */
  pipelineId: string | null;
}

export interface ClaimInput {
  agentId: string;
  workspaceId: string;
  leaseSeconds: number;
}

/** How often one claim is sent again: its agent's row changed under it, or a task for it was out of its statement's reach. */
const CLAIM_TRIES = 5;
/** One claim statement in flight per workspace: concurrent ones would lock tasks the other may take, and make it look again. */
const IN_FLIGHT = 1;
/** Most claims in one statement. */
const MAX_BATCH = 100;
/** A batch that deadlocks (another process locking the same agents' rows in another order) is sent again whole. */
const TRANSIENT_TRIES = 3;

interface Pending {
  input: ClaimInput;
  tries: number;
  /** Sent alone: a shared statement got it nothing although a task is there for it. */
  alone: boolean;
  pool: PgClient;
  resolve(task: ClaimedTask | null): void;
  reject(err: unknown): void;
}

type Row = Omit<ClaimedTask, "taskId"> & {
  agentId: string;
  contended: boolean;
  /** It got nothing although a ready task it may take exists (past the bound, or locked by another claim). */
  missed: boolean;
  /** Null when the agent got no task. */
  taskId: string | null;
};

/** How many statements and claims this process has sent (bench:dispatch prints claims per statement). */
export const claimBatchStats = { statements: 0, claims: 0 };

/**
 * Claims the best task the agent may take, or null when there is none for it now (or it is full,
 * archived or not an external agent). Batched with the workspace's other waiting claims.
 */
export function claimNextTask(pool: PgClient, input: ClaimInput): Promise<ClaimedTask | null> {
  return new Promise((resolve, reject) => {
    submit(input.workspaceId, { input, tries: 0, alone: false, pool, resolve, reject });
  });
}

const submit = groupCommit<Pending>({
  maxBatch: MAX_BATCH,
  distinctBy: (p) => p.input.agentId,
  inFlight: IN_FLIGHT,
  run: async (workspaceId, batch) => {
    // A claim sent alone goes in a statement of its own: its bound must hold only its own tasks.
    const alone = batch.filter((p) => p.alone);
    const together = batch.filter((p) => !p.alone);
    for (const p of alone) await send(workspaceId, [p]);
    if (together.length > 0) await send(workspaceId, together);
  },
});

function send(workspaceId: string, batch: Pending[]): Promise<void> {
  return settleEach(batch, async (claims) => {
    const rows = await retryTransient(TRANSIENT_TRIES, async () => {
      const { rows } = await claims[0]!.pool.query<Row>({
        ...CLAIM_STATEMENT,
        values: [claims.map((p) => p.input.agentId), workspaceId, claims.map(() => randomUUID()), claims.map((p) => p.input.leaseSeconds)],
      });
      return rows;
    });
    claimBatchStats.statements += 1;
    claimBatchStats.claims += claims.length;
    const byAgent = new Map(rows.map((r) => [r.agentId, r]));
    for (const p of claims) {
      const row = byAgent.get(p.input.agentId);
      if (!row) p.reject(new Error(`the claim statement answered nothing for agent ${p.input.agentId}`));
      else if (row.contended) {
        if (++p.tries < CLAIM_TRIES) submit(workspaceId, p);
        else p.resolve(null);
      } else if (row.taskId) {
        const { agentId: _a, contended: _c, missed: _m, ...claimed } = row;
        p.resolve({ ...claimed, taskId: row.taskId });
      } else if (row.missed && ++p.tries < CLAIM_TRIES) submit(workspaceId, { ...p, alone: true });
      else p.resolve(null);
    }
  });
}

/** SQL condition: agent `a` (id, specialization) may take task `t`. */
const mayTake = (t: string, a: string) =>
  `(${t}."requestedAgentId" IS NULL OR ${t}."requestedAgentId" = ${a}.id)
   AND (${t}."requiredSpecialization" IS NULL OR ${t}."requiredSpecialization" = ${a}.specialization)
   AND NOT (${a}.id = ANY (${t}."excludedAgentIds"))`;

/** FROM and WHERE of the tasks a claim may take now, agent aside: ready in workspace $2, project active, no backoff, dependencies done. */
const readyTasks = (t: string) =>
  `tasks ${t} JOIN projects p ON p.id = ${t}."projectId" AND p.status = 'active'
   WHERE ${t}.status = 'ready' AND ${t}."workspaceId" = $2 AND (${t}."notBefore" IS NULL OR ${t}."notBefore" <= now())
     AND ${dependenciesDoneSql(t)}`;

// $1 the agents (text[], arrival order), $2 their workspace, $3 the new attempts' ids (text[]),
// $4 each claim's lease in seconds (int[]). Exported for its plan's test (sql-plans.test.ts).
export const CLAIM_SQL = `
  WITH RECURSIVE req AS (
    SELECT r."agentId", r."attemptId", r.lease, r.ord FROM unnest($1::text[], $3::text[], $4::int[]) WITH ORDINALITY AS r("agentId", "attemptId", lease, ord)
  ), seen AS (
    SELECT a.id, a.xmin AS version, (a.active AND a.kind = 'external' AND a."workspaceId" = $2) AS eligible
      FROM agents a JOIN req ON req."agentId" = a.id
  ), me AS (
    UPDATE agents a SET "heartbeatAt" = now(), status = CASE WHEN a.status = 'offline' THEN 'available'::"AgentStatus" ELSE a.status END
      FROM seen WHERE a.id = seen.id AND seen.eligible AND a.xmin = seen.version
    RETURNING a.id, a.specialization, a."maxConcurrentTasks", a."taskTokenBudget"
  ), free AS (
    SELECT me.*, req."attemptId", req.lease, row_number() OVER (ORDER BY req.ord) AS n
      FROM me JOIN req ON req."agentId" = me.id
     WHERE (SELECT count(*) FROM task_attempts x WHERE x."agentId" = me.id AND x.status IN ('launching', 'running')) < me."maxConcurrentTasks"
  ), locked AS (
    SELECT t.id, t.priority, t."createdAt", t."requestedAgentId", t."requiredSpecialization", t."excludedAgentIds"
      FROM ${readyTasks("t")}
       AND EXISTS (SELECT 1 FROM free) AND EXISTS (SELECT 1 FROM free f WHERE ${mayTake("t", "f")})
     ORDER BY ${queueOrderSql("t")}
     LIMIT (SELECT count(*) + 4 FROM free)
     FOR UPDATE OF t SKIP LOCKED
  ), candidate AS (
    SELECT locked.*, row_number() OVER (ORDER BY ${queueOrderSql("locked")}) AS rank FROM locked
  ), matched (n, taken, "agentId", "taskId") AS (
    SELECT 0::bigint, ARRAY[]::text[], NULL::text, NULL::text
    UNION ALL
    SELECT m.n + 1, CASE WHEN pick.id IS NULL THEN m.taken ELSE m.taken || pick.id END, f.id, pick.id
      FROM matched m JOIN free f ON f.n = m.n + 1
      LEFT JOIN LATERAL (
        SELECT c.id FROM candidate c
         WHERE NOT (c.id = ANY (m.taken)) AND ${mayTake("c", "f")}
         ORDER BY c.rank LIMIT 1) pick ON true
  ), taken AS (
    UPDATE tasks t SET status = 'running', "attemptCount" = t."attemptCount" + 1, "assignedAgentId" = m."agentId",
           "startedAt" = coalesce(t."startedAt", now()), "notBefore" = NULL, "updatedAt" = now()
      FROM matched m WHERE t.id = m."taskId"
    RETURNING t.*
  ), claimed AS (
    INSERT INTO task_attempts (id, "taskId", number, "agentId", status, "contextSnapshot", "claimedAt", "leaseExpiresAt",
                               "tokenBudget", "createdAt", "updatedAt")
    SELECT f."attemptId", t.id, t."attemptCount", f.id, 'running', ${contextSnapshotSql("t", 't."attemptCount"')},
           now(), now() + f.lease * interval '1 second', f."taskTokenBudget", now(), now()
      FROM taken t JOIN free f ON f.id = t."assignedAgentId"
    RETURNING "agentId", "taskId", id AS "attemptId", number AS attempt, "leaseExpiresAt", "contextSnapshot" AS context, "tokenBudget"
  ), unmatched AS MATERIALIZED (
    -- Apart, so the search below runs for the agents that got nothing only, whatever plan it gets.
    SELECT f.* FROM free f WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m."agentId" = f.id AND m."taskId" IS NOT NULL)
  ), missed AS (
    -- The first such task in queue order, not EXISTS: the planner drops an EXISTS's ORDER BY and
    -- LIMIT, and a plan kept while the statistics say most tasks are ready then scans the whole
    -- table for each agent when none is (an emptied queue, idle agents polling). In queue order the
    -- ready-queue index is the cheapest way to a first row, whatever the statistics say.
    SELECT f.id FROM unmatched f CROSS JOIN LATERAL (
      SELECT 1 FROM ${readyTasks("t")} AND ${mayTake("t", "f")} AND NOT EXISTS (SELECT 1 FROM matched m WHERE m."taskId" = t.id)
       ORDER BY ${queueOrderSql("t")}
       LIMIT 1) first
  )
  SELECT req."agentId", coalesce(seen.eligible, false) AND me.id IS NULL AS contended,
         EXISTS (SELECT 1 FROM missed WHERE missed.id = req."agentId") AS missed,
         c."taskId", c."attemptId", c.attempt, c."leaseExpiresAt", c.context, c."tokenBudget", taken."pipelineId"
    FROM req LEFT JOIN seen ON seen.id = req."agentId" LEFT JOIN me ON me.id = req."agentId"
    LEFT JOIN claimed c ON c."agentId" = req."agentId" LEFT JOIN taken ON taken.id = c."taskId"`;

/** Named: each connection parses and plans it once (planning it costs more than running it). */
const CLAIM_STATEMENT = { name: "claim-next-tasks", text: CLAIM_SQL };

/** The claim statement claiming nothing: an API process prepares it at start (lib/pg.ts, warmPgPool). */
export const claimWarmUp: QueryConfig = { ...CLAIM_STATEMENT, values: [[], "", [], []] };
