// A plain `pg` pool for the few hot paths where Prisma's per-query overhead dominates (bridge
// authentication and event ingestion, bet placement): each is one SQL statement.
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
