// The plain `pg` pool: the one place raw SQL goes around Prisma, for single statements on hot
// paths where a benchmark showed Prisma's per-query overhead dominating — the bridge's token check,
// activity stamp and event ingestion (bench:bridge; the launch job forwards agents' log lines the
// same way), API-token sign-in, bet placement (bench:bets), and the rows of a run.list page
// (bench:arena, domain/runs/run-summaries-sql.ts). Everything else uses Prisma (db.ts);
// the rule and the connection budget are in the README's "Database" section.
//
// Created on first use, so a process that never takes these paths opens no connection here. Up to
// DB_POOL_MAX connections of its own, besides Prisma's DB_POOL_MAX: a process may hold 2 ×
// DB_POOL_MAX connections to PostgreSQL.
import pg from "pg";
import { config } from "../config";
import { pgConnectionOptions } from "./pg-options";

let pool: pg.Pool | undefined;

export function pgPool(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool(pgConnectionOptions(config.DATABASE_URL, { max: config.DB_POOL_MAX }));
    pool.on("error", () => {
      /* an idle client died (e.g. a database restart); the pool replaces it */
    });
  }
  return pool;
}

export async function closePgPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}
