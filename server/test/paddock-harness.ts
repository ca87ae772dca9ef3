// Starts a whole Paddock (API, Socket.IO, workers) in the test process, on a free port unless told one.
import { afterAll, beforeAll, vi } from "vitest";
import type { ChildProcess } from "node:child_process";
import type { Paddock } from "../main";
import { TERMINAL_RUN_STATUSES } from "@shared/run-status";

/**
 * Work-queue timing for end-to-end task tests: the dispatcher and sweeps run every half second,
 * retries and launches back off briefly and a run's minute is a second. Set before the server's
 * modules load (`Object.assign(process.env, FAST_TASK_TIMING)` above the first server import).
 */
export const FAST_TASK_TIMING = {
  MINUTE_SECONDS: "1",
  TASK_DISPATCH_EVERY_MS: "500",
  TASK_SWEEP_EVERY_MS: "500",
  TASK_RETRY_BACKOFF_MS: "100",
  LAUNCH_BACKOFF_MS: "50",
};

export async function startTestPaddock(
  env: Record<string, string> = {},
  role: "all" | "api" = "all",
  port = 0,
): Promise<Paddock & { url: string }> {
  Object.assign(process.env, env);
  const { startPaddock } = await import("../main");
  const paddock = await startPaddock(role, port);
  if (!paddock.url) throw new Error("Paddock did not start an API");
  return paddock as Paddock & { url: string };
}

/**
 * vi.waitFor for a probe that answers rather than throws: resolves with the first truthy value
 * `fn` returns; on timeout, fails naming `what` (and the probe's last error, if it threw).
 */
export function waitUntil<T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (!v) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      return v;
    },
    { timeout: timeoutMs, interval: everyMs },
  );
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs Paddock's worker role in a separate process (so a test can SIGKILL it). */
export async function spawnWorker(env: Record<string, string> = {}) {
  const { spawn } = await import("node:child_process");
  const path = await import("node:path");
  const root = path.resolve(import.meta.dirname, "..", "..");
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, PADDOCK_ROLE: "worker", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

/**
 * Starts a Paddock for the test file (before its tests, stopped after); its start creates the
 * built-in agents. Set env overrides before calling: config is read when Paddock is imported.
 */
export function useTestPaddock(opts: { role?: "all" | "api" } = {}) {
  const ctx = {} as { paddock: Paddock & { url: string }; agentId: string };
  beforeAll(async () => {
    ctx.paddock = await startTestPaddock({}, opts.role ?? "all");
    const { db } = await import("../lib/db");
    const { ensureBuiltinAgents } = await import("../domain/agents/builtin");
    ctx.agentId = (await ensureBuiltinAgents(db)).find((p) => p.slug === "demo-gpt")!.id;
  });
  afterAll(async () => {
    await ctx.paddock?.stop();
  });
  return ctx;
}

/**
 * For crash tests: the API runs in this process, workers in child processes the test can SIGKILL.
 * `spawnWorker` starts one pointed at this API; any still alive is killed after the file.
 */
export function useApiWithKillableWorkers() {
  const ctx = useTestPaddock({ role: "api" });
  const workers: ChildProcess[] = [];
  afterAll(() => {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
  });
  return {
    async spawnWorker(env: Record<string, string> = {}): Promise<ChildProcess> {
      const worker = await spawnWorker({ BRIDGE_PUBLIC_URL: ctx.paddock.url, ...env });
      workers.push(worker);
      return worker;
    },
  };
}

/** Waits until the run reaches one of the statuses; returns the run row. */
export async function waitForRun(id: string, statuses: string[], timeoutMs = 40_000) {
  const { db } = await import("../lib/db");
  return waitUntil(
    async () => {
      const run = await db.run.findUniqueOrThrow({ where: { id } });
      return statuses.includes(run.status) ? run : null;
    },
    `run ${id} to reach ${statuses.join("/")}`,
    timeoutMs,
  );
}

export const ENDED: string[] = [...TERMINAL_RUN_STATUSES];
