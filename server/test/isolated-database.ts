// Runs before each test file: clones the migrated template into a database of the file's own
// and gives the file its own Redis key prefix, so files run in parallel without sharing state.
// It sets the environment before the test file imports server/config.ts.
import { afterAll, inject } from "vitest";
import pg from "pg";
import { pgConnectionOptions } from "../lib/pg-options";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

const adminUrl = inject("adminDatabaseUrl");
const template = inject("templateDatabase");
const redisUrl = inject("redisUrl");
// Named after the vitest process that owns the template, so stale databases can be found.
const name = `paddock_test_${template.replace("paddock_template_", "")}_${randomBytes(6).toString("hex")}`;

// Every file's database runs in a zone that is not UTC (alternating east and west of it), so a
// connection that is not pinned to UTC (server/lib/pg-options.ts) shows up as shifted times
// anywhere in the suite, not only in the focused test (server/lib/utc-sessions.test.ts).
const TEST_DATABASE_TIME_ZONES = ["Asia/Tokyo", "America/New_York"] as const;
const databaseTimeZone = TEST_DATABASE_TIME_ZONES[Number(process.env.VITEST_WORKER_ID ?? 0) % 2];

function urlFor(database: string) {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createFromTemplate() {
  const admin = new pg.Client(pgConnectionOptions(adminUrl));
  await admin.connect();
  try {
    // Concurrent clones of one template can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        await admin.query(`ALTER DATABASE "${name}" SET timezone TO '${databaseTimeZone}'`);
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
}

await createFromTemplate();
process.env.NODE_ENV = "test";
process.env.DATABASE_URL = urlFor(name);
process.env.REDIS_URL = redisUrl;
process.env.REDIS_PREFIX = `test:${name}`;
process.env.DB_POOL_MAX ??= "10";
process.env.SEED_DEMO = "false";
process.env.SERVE_CLIENT ??= "false";
process.env.DATA_DIR = `.data/test/${name}`;
process.env.RATE_LIMIT_WRITE_PER_MINUTE ??= "100000";
process.env.RATE_LIMIT_AUTH_PER_MINUTE ??= "100000";
process.env.RATE_LIMIT_READ_PER_MINUTE ??= "100000";

afterAll(async () => {
  const admin = new pg.Client(pgConnectionOptions(adminUrl));
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
  await admin.end();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `test:${name}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  await redis.quit();
  const { rm } = await import("node:fs/promises");
  await rm(`.data/test/${name}`, { recursive: true, force: true });
});
