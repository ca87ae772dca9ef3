// A small node-postgres pool for placeBet, the one statement on a hot path. Prisma's $queryRaw
// re-parses and re-plans its statement on every call (about as long as executing it here);
// a named prepared statement on a pooled pg connection is planned once per connection.
import pg from "pg";
import { config } from "../../config";

let pool: pg.Pool | undefined;

export function bettingSqlPool(): pg.Pool {
  if (pool) return pool;
  pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_MAX,
    // An idle pool must not keep a finished process (a test file, a script) alive.
    allowExitOnIdle: true,
    // This pool runs one static statement whose best plan does not depend on its parameters.
    options: "-c plan_cache_mode=force_generic_plan",
  });
  pool.on("error", () => {
    /* an idle connection dropped; the pool replaces it on the next query */
  });
  return pool;
}

export async function closeBettingSqlPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}
