// Benchmarks run against a throwaway database (never your data) and their own Redis prefix.
// Call prepareBenchEnv() before importing anything from server/ (config is read at import).
import fs from "node:fs";
import pg from "pg";
import { pgConnectionOptions } from "../../server/lib/pg-options";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ensureServices, projectRoot } from "../services";

export interface BenchEnv {
  databaseUrl: string;
  cleanup(): Promise<void>;
}

export async function prepareBenchEnv(name: string, extraEnv: Record<string, string> = {}): Promise<BenchEnv> {
  process.env.PADDOCK_QUIET_SERVICES = "1";
  const services = await ensureServices();
  const database = `paddock_bench_${name}_${process.pid}`;
  const admin = new pg.Client(pgConnectionOptions(services.databaseUrl));
  // Closed under it (the embedded PostgreSQL stopped by another process that started it): the
  // bench's own queries fail and say so; the idle connection's error must not end the process.
  admin.on("error", () => {});
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(services.databaseUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const migrate = spawnSync(path.join(projectRoot, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrating the bench database failed:\n${migrate.stderr}`);
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `bench:${name}:${process.pid}`,
    LOG_LEVEL: "warn",
    SERVE_CLIENT: "false",
    RATE_LIMIT_WRITE_PER_MINUTE: "100000000",
    RATE_LIMIT_AUTH_PER_MINUTE: "100000000",
    RATE_LIMIT_READ_PER_MINUTE: "100000000",
    // Benchmarks measure capacity, not the per-run abuse quota (50 agents at full speed each).
    BRIDGE_EVENTS_PER_SECOND: "100000000",
    DATA_DIR: `.data/bench/${name}-${process.pid}`,
    ...extraEnv,
  });
  return {
    databaseUrl,
    async cleanup() {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {});
      await admin.end();
      await services.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A process's name and the CPU milliseconds it used so far (Linux /proc), or null where that cannot be read. */
export function processCpu(pid: number | string): { name: string; ms: number } | null {
  const ticksMs = 10; // USER_HZ is 100 on Linux
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), ms: (Number(fields[11]) + Number(fields[12])) * ticksMs };
  } catch {
    return null;
  }
}

/** The pids of every process whose command line passes `test` (Linux /proc; none elsewhere). */
export function pidsWhere(test: (name: string, cmdline: string) => boolean): string[] {
  const pids: string[] = [];
  for (const pid of fs.existsSync("/proc") ? fs.readdirSync("/proc") : []) {
    if (!/^\d+$/.test(pid)) continue;
    const p = processCpu(pid);
    if (!p) continue;
    const cmdline = (() => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        return "";
      }
    })();
    if (test(p.name, cmdline)) pids.push(pid);
  }
  return pids;
}
