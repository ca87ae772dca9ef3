// For tests of a data migration: a scratch database of the file's own, the migration folders in
// order, and a client pinned to UTC like every Paddock connection. The test applies the migrations
// before the one it checks, inserts rows the way Paddock wrote them then, and applies the rest.
import { inject, onTestFinished } from "vitest";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pgConnectionOptions } from "../lib/pg-options";
import { databaseUrl } from "./global-setup";

const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConnectionOptions(url));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const migrationSql = async (name: string) => readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");

/** Every migration folder's name, oldest first. */
export const migrationNames = async () => (await readdir(migrationsDir)).filter((d) => /^\d{14}_/.test(d)).sort();

/** Creates an empty scratch database (dropped when the calling test finishes) and returns its URL. */
export async function scratchDatabase(tag: string): Promise<string> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `paddock_test_${process.pid}_${tag}_${randomBytes(4).toString("hex")}`;
  onTestFinished(async () => {
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return databaseUrl(adminUrl, name);
}
