// How Paddock reaches PostgreSQL. The rule (also in the README's "Database" section):
//
// - Prisma by default: this client, its query API, its interactive transactions.
// - `$queryRaw` inside a domain function, on the Prisma client or transaction it was given, only
//   for what Prisma's query API cannot say: a row lock (`FOR UPDATE`), `SET LOCAL`, an update
//   guarded by a condition in one statement, a condition or an aggregate its API cannot express
//   (a row's columns compared with each other, FILTER, array operations).
// - Raw SQL that goes around Prisma — the `pg` pool of pg.ts, or a set-based `$queryRaw` kept for
//   speed — only where a benchmark says so, in a file named for it (`*-sql.ts`: events-sql.ts,
//   bridge-sql.ts, run-summaries-sql.ts, place-bet-sql.ts, payout-sql.ts, users-sql.ts), whose
//   header names the benchmark.
// - One signature: a domain function takes its client first, `(db: DbClient, input)` — the Prisma
//   client or the caller's transaction, so a command can run several in one; a `*-sql.ts` function
//   on the pg pool takes it first the same way, `(pool: PgClient, input)`. No domain function
//   imports `db` or calls `pgPool()`: the edges (commands, routers, the bridge, jobs, scripts) hold
//   the two clients and hand them down.
//
// Connections: this client's driver adapter holds a `pg` pool of up to DB_POOL_MAX connections per
// process, opened as queries need them; pg.ts may hold as many again (the budget is in the README).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "../generated/prisma/client";
import { config } from "../config";
import { pgConnectionOptions } from "./pg-options";

export { Prisma };
export type Db = PrismaClient;
/** A Prisma client or an interactive transaction: domain functions accept either. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

export function createDb(databaseUrl = config.DATABASE_URL, max = config.DB_POOL_MAX): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pgConnectionOptions(databaseUrl, { max })) });
}

export const db: PrismaClient = createDb();

/**
 * Runs `fn` in a transaction, or inside the caller's transaction when given one. `timeout`: how
 * long the transaction may run (30 s unless said; a 100,000-bet settlement takes seconds).
 */
export async function inTransaction<T>(
  client: DbClient,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  opts: { timeout?: number } = {},
): Promise<T> {
  if ("$transaction" in client) {
    return client.$transaction(fn, { maxWait: 10_000, timeout: opts.timeout ?? 30_000 });
  }
  return fn(client);
}
