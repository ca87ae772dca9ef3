// A plain `pg` pool for the hot paths where Prisma's per-query overhead dominates, each one SQL
// statement: the bridge (token check, activity stamp, event ingestion, including the agent's
// log lines the launch job forwards), API-token sign-in and bet placement. It holds up to
// DB_POOL_MAX connections of its own, besides Prisma's.
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
