// The plain `pg` pool: the one way around Prisma, for single statements on hot paths where a
// benchmark showed Prisma's per-query overhead dominating. Its statements live in files named for
// it (`*-sql.ts`): the bridge's token check, activity stamp and event ingestion
// (domain/runs/bridge-sql.ts, events-sql.ts: bench:bridge; the launch job forwards agents' log
// lines the same way), API-token sign-in (domain/users-sql.ts: bench:bets), bet placement
// (domain/betting/place-bet-sql.ts: bench:bets), the rows of a run.list page
// (domain/runs/run-summaries-sql.ts: bench:arena) and the external agents' key check, claims and
// results (domain/agents/keys-sql.ts, domain/tasks/claim-sql.ts, finish-sql.ts: bench:dispatch).
// Bets, claims and results arriving together share one statement (lib/group-commit.ts). Everything else uses Prisma (db.ts); the rule and the connection budget are in
// db.ts's header and the README's "Database" section.
//
// Like the Prisma client, the pool is taken by the edges (commands, routers, the bridge, jobs,
// scripts) and handed to a domain function as its first argument, `(pool: PgClient, input)`:
// no domain function calls pgPool() itself.
//
// Its statements are planned once per connection and kept (plan_cache_mode = force_generic_plan).
// They are hot statements keyed by ids, and the batched ones (claims, results, bets) take arrays:
// left to choose, PostgreSQL re-planned a batched statement on most calls, since a plan made for
// the batch's exact size looked cheaper than the plan for any size — in bench:dispatch the result
// statement was planned on 455 of 1,452 calls, 2.3 ms a plan for a 2–3 ms statement (planning fell
// from 1,053 ms to 110 ms of the run). A plan kept for the connection's life must not depend on how
// big a table was when it was made: a statement joining a few rows to a growing table by its key
// says so (`keyIn`, used by domain/tasks/finish-sql.ts) rather than leave the planner a hash join over a
// scan of the whole table, chosen while the table was small and kept as it grows.
//
// Created on first use, so a process that never takes these paths opens no connection here. Up to
// DB_POOL_MAX connections of its own, besides Prisma's DB_POOL_MAX: a process may hold 2 ×
// DB_POOL_MAX connections to PostgreSQL. An API process opens WARM_CONNECTIONS of them at start,
// with the agent API's statements prepared (warmPgPool), and keeps that many open when idle.
import pg from "pg";
import { config } from "../config";
import { pgConnectionOptions } from "./pg-options";

/** The pool, or one client checked out of it (a transaction): what a `*-sql.ts` function takes first. */
export type PgClient = pg.Pool | pg.PoolClient;

let pool: pg.Pool | undefined;

/** Connections the pool keeps open however idle it is: those warmPgPool prepares at start. */
const WARM_CONNECTIONS = Math.min(4, config.DB_POOL_MAX);

export function pgPool(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool(
      pgConnectionOptions(
        config.DATABASE_URL,
        { max: config.DB_POOL_MAX, min: WARM_CONNECTIONS },
        { plan_cache_mode: "force_generic_plan" },
      ),
    );
    pool.on("error", () => {
      /* an idle client died (e.g. a database restart); the pool replaces it */
    });
  }
  return pool;
}

/**
 * Opens the pool's first connections and prepares these statements on each (run once with values
 * that change nothing): the first requests after a start — a fleet of agents coming back at once
 * after a restart — then find a connection and a plan ready, instead of each paying a new
 * connection's setup and a plan of the statement (in bench:dispatch, the fleet's first claims
 * took 46–59 ms rather than 26–32 ms). The pool keeps these connections open (`min`); of
 * connections opened later under load, the idle ones are closed, least recently used first.
 */
export async function warmPgPool(statements: pg.QueryConfig[]): Promise<void> {
  const clients = await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => pgPool().connect()));
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (const statement of statements) await client.query(statement);
      }),
    );
  } finally {
    for (const client of clients) client.release();
  }
}

export async function closePgPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}

/**
 * SQL: `column = value`, written so the planner can only evaluate it on a row it looked up — by
 * an index on `column` — and never hash `value`'s rows against a scan of the whole table. For a few
 * rows joined to a growing table by its key, in a statement whose plan is kept (see above).
 */
export const keyIn = (column: string, value: string): string => `${column} = ANY (ARRAY[${value}])`;
