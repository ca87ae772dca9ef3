// Runs once per `vitest` invocation: finds or starts PostgreSQL and Redis (same discovery as
// `npm start`), migrates a template database, and hands both URLs to the test files, each of
// which clones the template into a database of its own (see isolated-database.ts).
import type { TestProject } from "vitest/node";
import pg from "pg";
import { pgConnectionOptions } from "../lib/pg-options";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureServices, projectRoot } from "../../scripts/services";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    redisUrl: string;
  }
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject) {
  const services = await ensureServices();
  const template = `paddock_template_${process.pid}`;
  const admin = new pg.Client(pgConnectionOptions(services.databaseUrl));
  await admin.connect();
  // Leftovers of interrupted runs (their vitest process is gone); concurrent runs are left alone.
  const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname ~ '^paddock_(template|test)_[0-9]+'");
  for (const { datname } of stale.rows) {
    const pid = Number(/^paddock_(?:template|test)_(\d+)/.exec(datname)?.[1]);
    if (pid && !isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
  await admin.query(`CREATE DATABASE "${template}"`);
  const migrate = spawnSync(path.join(projectRoot, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl(services.databaseUrl, template) },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrating the test template failed:\n${migrate.stdout}\n${migrate.stderr}`);

  project.provide("adminDatabaseUrl", services.databaseUrl);
  project.provide("templateDatabase", template);
  project.provide("redisUrl", services.redisUrl);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => {});
    await admin.end();
    // Embedded services stay up for the next run (and for concurrent runs sharing them).
  };
}
