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
