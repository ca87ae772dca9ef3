// Agents ride through restarts. Paddock runs as separate processes (API, worker) on a Redis of
// its own; demo agents work and users bet while the API is SIGKILLed and restarted and Redis is
// stopped for 5 s. Every run must still reach the outcome its agent was configured for, every
// pool settle exactly once, and the ledger balance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io as connectSocket } from "socket.io-client";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../scripts/bench/spawn-server";
import { waitUntil, waitForRun, ENDED } from "./test/paddock-harness";

const ROOT = path.resolve(import.meta.dirname, "..");
const redisPort = await freePort();
const apiPort = await freePort();
const redisDir = mkdtempSync(path.join(os.tmpdir(), "paddock-restart-redis-"));
const redisUrl = `redis://127.0.0.1:${redisPort}`;

// Before any server module is imported: this process (which creates runs and places bets)
// and the Paddock processes it spawns share this Redis and these settings.
Object.assign(process.env, {
  REDIS_URL: redisUrl,
  BRIDGE_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
  HOST: "127.0.0.1",
  LOG_LEVEL: "fatal", // the outages make the processes log plenty of expected errors
  SETTLE_SWEEP_EVERY_MS: "1000",
  IDLE_KILL_EVERY_MS: "1000",
  REAPER_EVERY_MS: "2000",
  PROCESS_WATCH_EVERY_MS: "1000",
});

const { db } = await import("./lib/db");
const { makeLiveRun, makeUser } = await import("./test/helpers");
const { ensureBuiltinAgents } = await import("./domain/agents/builtin");
const { checkLedger, balanceOf, poolAccountKey } = await import("./domain/ledger");

const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function startRedis(): Promise<ChildProcess> {
  // Persistent like a production Redis under BullMQ: a restart keeps queued and delayed jobs.
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(redisPort),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--dir",
      redisDir,
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  children.add(child);
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await waitUntil(
      async () => {
        if (probe.status !== "ready") await probe.connect().catch(() => probe.disconnect());
        return (await probe.ping()) === "PONG";
      },
      "redis-server to answer",
      15_000,
      50,
    );
  } finally {
    probe.disconnect();
  }
  return child;
}

async function startPaddockProcess(role: "api" | "worker"): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PADDOCK_ROLE: role, PORT: String(apiPort) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  if (role === "api") {
    await waitUntil(
      async () =>
        child.exitCode === null &&
        (await fetch(`http://127.0.0.1:${apiPort}/api/health`).then(
          (r) => r.ok,
          () => false,
        )),
      "the API to answer",
      60_000,
      100,
    );
  }
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals) {
  child.kill(signal);
  await exited(child);
  children.delete(child);
}

afterAll(async () => {
  for (const child of children) {
    child.kill("SIGTERM");
    await Promise.race([exited(child), sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  rmSync(redisDir, { recursive: true, force: true });
});

let redis: ChildProcess;
let api: ChildProcess;

beforeAll(async () => {
  redis = await startRedis();
  api = await startPaddockProcess("api");
  await startPaddockProcess("worker");
});

describe("SIGTERM on the API", () => {
  it("answers held long-polls, exits cleanly, and browsers' sockets reconnect to its successor", async () => {
    const { createApiToken } = await import("./domain/users");
    const agentId = (await ensureBuiltinAgents(db))[0]!.id;
    // A run whose "agent" is this test: no process is launched for it.
    const { id, user, token: bridgeToken } = await makeLiveRun({ agentId, goal: "Drain" });

    const { token } = await createApiToken(db, user.id, "drain test");
    const socket = connectSocket(`http://127.0.0.1:${apiPort}`, {
      path: "/socket.io",
      transports: ["websocket"],
      auth: { token },
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    const reasons: string[] = [];
    socket.on("disconnect", (reason) => reasons.push(reason));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      // Held for up to 25 s, longer than the API's 15-s shutdown bound.
      const poll = fetch(`http://127.0.0.1:${apiPort}/api/agent/v1/runs/${id}/prompts?wait=25`, {
        headers: { authorization: `Bearer ${bridgeToken}` },
      });
      await waitUntil(async () => (await db.run.findUniqueOrThrow({ where: { id } })).lastActivityAt !== null, "the long-poll to arrive");

      const exit = new Promise<number | null>((resolve) => api.once("exit", (code) => resolve(code)));
      api.kill("SIGTERM");
      const answer = await poll;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ prompts: [] });
      expect(await exit).toBe(0);
      children.delete(api);
      expect(reasons).toEqual(["transport close"]);

      const reconnected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      api = await startPaddockProcess("api");
      await reconnected;
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  }, 120_000);
});

describe("Paddock through an API crash and a Redis outage", () => {
  it("every run reaches its configured outcome, every pool settles once, the ledger balances", async () => {
    const agentId = (await ensureBuiltinAgents(db)).find((p) => p.slug === "demo-gpt")!.id;
    const owner = await makeUser({ grant: 100_000 });
    const bettors = await Promise.all([0, 1, 2, 3].map(() => makeUser({ grant: 100_000 })));
    // About 25-30 s of work each: long enough to live through both outages.
    const plans = [true, false, true, false].map((succeed) => ({ succeed, target: succeed ? 100 : 200 }));
    const runs: { id: string; succeed: boolean; target: number }[] = [];
    for (const [i, plan] of plans.entries()) {
      const { id } = await owner.caller.run.create({
        goal: `Restart drill ${i}`,
        metric: "points",
        targetValue: plan.target,
        agentId,
        durationMinutes: 600,
        credits: 2_000,
        agentConfig: { stepMs: 250, progressPerStep: 1, succeed: plan.succeed, creditsPerStep: 1, screenshotEvery: 10 },
      });
      runs.push({ id, ...plan });
    }
    for (const run of runs) await waitForRun(run.id, ["running"], 60_000);

    let accepted = 0;
    const betRound = async (mustSucceed: boolean) => {
      for (const [i, bettor] of bettors.entries()) {
        for (const run of runs) {
          const side = (i + accepted) % 2 === 0 ? "yes" : "no";
          try {
            await bettor.caller.betting.placeBet({ runId: run.id, side, amount: 100 + i * 10 });
            accepted += 1;
          } catch (err) {
            if (mustSucceed) throw err;
          }
        }
      }
    };
    await betRound(true); // both sides of every pool have stakes

    // The API dies without warning while agents are mid-run, and comes back on the same port.
    await stop(api, "SIGKILL");
    await sleep(3_000);
    await betRound(false);
    api = await startPaddockProcess("api");
    await betRound(false);

    // Redis goes away for 5 s.
    await stop(redis, "SIGTERM");
    await sleep(5_000);
    redis = await startRedis();
    await betRound(false);

    const ended = await Promise.all(runs.map((run) => waitForRun(run.id, ENDED, 120_000)));
    for (const [i, run] of runs.entries()) {
      expect({ id: run.id, status: ended[i]!.status, reason: ended[i]!.statusReason }).toEqual({
        id: run.id,
        status: run.succeed ? "succeeded" : "failed",
        // The demo agents carry a verifier: a success is what it measured, not the agent's claim.
        reason: run.succeed ? expect.stringMatching(/^verified: /) : expect.stringMatching(/^verified .*, below the target/),
      });
    }

    for (const run of runs) {
      const pool = await waitUntil(
        async () => {
          const p = await db.pool.findUniqueOrThrow({ where: { runId: run.id }, include: { bets: true } });
          return p.status === "settled" || p.status === "refunded" ? p : null;
        },
        `the pool of ${run.id} to settle`,
        60_000,
      );
      expect(pool.status).toBe("settled");
      expect(pool.outcome).toBe(run.succeed ? "yes" : "no");
      // Paid exactly once: every stake went out of escrow, and the payouts add up to the pool.
      expect(await balanceOf(db, poolAccountKey(pool.id))).toBe(0);
      const staked = pool.bets.reduce((sum, b) => sum + b.amount, 0);
      const paid = pool.bets.reduce((sum, b) => sum + Number(b.payout ?? 0), 0);
      expect(paid + Number(pool.rakeCents)).toBe(staked);
      expect(pool.bets.every((b) => b.settledAt !== null)).toBe(true);
    }
    expect(await checkLedger(db)).toEqual([]);
  }, 300_000);
});
