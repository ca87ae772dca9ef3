// Prisma: how Paddock reads and writes PostgreSQL unless a benchmark says otherwise (then the
// `pg` pool in pg.ts, or a `$queryRaw` statement in a file named for it, e.g. payout-sql.ts), or
// the SQL is one Prisma cannot say (a row lock, `SET LOCAL`, an update guarded by a condition in
// one statement). Domain functions take the client as their first argument (`DbClient`, so a
// caller's transaction can be passed in); the rule and the connection budget are in the README's
// "Database" section.
//
// The client's driver adapter holds a `pg` pool of up to DB_POOL_MAX connections per process,
// opened as queries need them; pg.ts may hold as many again.
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

/** Runs `fn` in a transaction, or inside the caller's transaction when given one. */
export async function inTransaction<T>(client: DbClient, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  if ("$transaction" in client) {
    return client.$transaction(fn, { maxWait: 10_000, timeout: 30_000 });
  }
  return fn(client);
}
