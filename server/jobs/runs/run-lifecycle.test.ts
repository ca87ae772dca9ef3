// End to end on the local provider, no stand-ins: a real launch worker starts a real child
// process running the reference agent, which talks to the real bridge over HTTP.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ENDED, useTestPaddock, waitForRun, waitUntil, processAlive } from "../../test/paddock-harness";

// A "minute" of run time is one second here, and the sweeps run often.
Object.assign(process.env, { MINUTE_SECONDS: "1", IDLE_KILL_EVERY_MS: "300", REAPER_EVERY_MS: "1000", LAUNCH_BACKOFF_MS: "50" });

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { checkLedger, balanceOf, userAccountKey } = await import("../../domain/ledger");
const ctx = useTestPaddock();
const runUntil = waitForRun;

function sandboxPid(providerId: string): number | null {
  const file = path.resolve(process.env.DATA_DIR!, "sandboxes", providerId, "sandbox.json");
  if (!existsSync(file)) return null;
  const meta = JSON.parse(readFileSync(file, "utf8")) as { pid?: number; process?: { pid?: number } };
  return meta.pid ?? meta.process?.pid ?? null;
}

describe("a demo agent on the local provider", () => {
  it("reaches its target: the run succeeds, unspent credits return, the ledger balances", async () => {
    const user = await makeUser({ grant: 10_000 });
    const { id } = await user.caller.run.create({
      goal: "Reach ten",
      metric: "points",
      targetValue: 10,
      agentId: ctx.agentId,
      durationMinutes: 60,
      credits: 500,
      agentConfig: { stepMs: 30, progressPerStep: 2, creditsPerStep: 3, screenshotEvery: 2, succeed: true },
    });
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(9_500);
    const run = await runUntil(id, ENDED);
    expect(run.status).toBe("succeeded");
    expect(run.currentProgress).toBe(10);
    expect(run.startedAt).not.toBeNull();
    const detail = await user.caller.run.get({ id });
    const kinds = new Set(detail.events.map((e) => e.kind));
    for (const k of ["progress", "status", "thought"]) expect(kinds).toContain(k);
    expect(detail.artifacts.some((a) => a.kind === "screenshot" && a.contentType === "image/png")).toBe(true);
    // Spent credits went to the house; the rest came back.
    await waitUntil(async () => (await balanceOf(db, `run:${id}`)) === 0, "credits to return");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(10_000 - run.creditsSpent);
    expect(run.creditsSpent).toBeGreaterThan(0);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("fails when the agent cannot reach the target", async () => {
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Reach ten, but stall",
      metric: "points",
      targetValue: 10,
      agentId: ctx.agentId,
      durationMinutes: 60,
      credits: 200,
      agentConfig: { stepMs: 30, progressPerStep: 2, succeed: false },
    });
    const run = await runUntil(id, ENDED);
    expect(run.status).toBe("failed");
    expect(run.currentProgress).toBeLessThan(10);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("can be canceled mid-way by its creator; the child process is gone afterwards", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Slow work",
      metric: "points",
      targetValue: 1000,
      agentId: ctx.agentId,
      durationMinutes: 600,
      credits: 300,
      agentConfig: { stepMs: 200, progressPerStep: 1 },
    });
    const running = await runUntil(id, ["running"]);
    await waitUntil(async () => (await db.runEvent.count({ where: { runId: id, kind: "progress" } })) >= 2, "progress");
    const pid = sandboxPid(running.providerId!);
    expect(pid).toBeTruthy();
    expect(processAlive(pid!)).toBe(true);
    await expect(other.caller.run.cancel({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const result = await user.caller.run.cancel({ id });
    expect(result.status).toBe("canceled");
    await waitUntil(async () => !processAlive(pid!), "the agent process to exit", 10_000);
    await expect(user.caller.run.cancel({ id })).rejects.toMatchObject({ code: "CONFLICT" });
    await waitUntil(async () => (await balanceOf(db, `run:${id}`)) === 0, "credits to return");
    expect(await checkLedger(db)).toEqual([]);
  });

  it("is canceled with reason idle when the agent goes quiet", async () => {
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Go quiet",
      metric: "points",
      targetValue: 1000,
      agentId: ctx.agentId,
      durationMinutes: 600,
      idleTimeoutMinutes: 2,
      credits: 300,
      // One step every 20 s: far longer than the 2 s idle timeout.
      agentConfig: { stepMs: 20_000, progressPerStep: 1 },
    });
    const run = await runUntil(id, ENDED, 30_000);
    expect(run.status).toBe("canceled");
    expect(run.statusReason).toBe("idle");
  });

  it("expires when its duration is over", async () => {
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Run out of time",
      metric: "points",
      targetValue: 1000,
      agentId: ctx.agentId,
      durationMinutes: 3,
      credits: 300,
      agentConfig: { stepMs: 100, progressPerStep: 1 },
    });
    const run = await runUntil(id, ENDED, 30_000);
    expect(run.status).toBe("expired");
    expect(await checkLedger(db)).toEqual([]);
  });

  it("delivers a prompt submitted through tRPC to the running agent, which acknowledges it", async () => {
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Listen",
      metric: "points",
      targetValue: 1000,
      agentId: ctx.agentId,
      durationMinutes: 600,
      credits: 300,
      agentConfig: { stepMs: 100, progressPerStep: 1 },
    });
    await runUntil(id, ["running"]);
    const prompt = await user.caller.run.submitPrompt({ id, text: "faster" });
    const acked = await waitUntil(
      async () => {
        const p = await db.promptInjection.findUniqueOrThrow({ where: { id: prompt.id } });
        return p.status === "acknowledged" ? p : null;
      },
      "the prompt to be acknowledged",
      15_000,
    );
    expect(acked.deliveredAt).not.toBeNull();
    await user.caller.run.submitPrompt({ id, text: "stop" });
    const run = await runUntil(id, ENDED, 15_000);
    expect(run.status).toBe("failed");
  });

  it("fails within seconds, pool settled, when the agent exits without reporting", async () => {
    // Waits for the test's go-ahead (so the bets land while it runs), then dies with code 3.
    const agent = await db.agent.create({
      data: { slug: "exits-three", name: "Exits with 3", model: "none", runtime: "while [ ! -f go ]; do sleep 0.05; done; exit 3" },
    });
    const user = await makeUser();
    const [yes, no] = [await makeUser({ grant: 10_000 }), await makeUser({ grant: 10_000 })];
    const { id } = await user.caller.run.create({
      goal: "Crash",
      metric: "points",
      targetValue: 10,
      agentId: agent.id,
      durationMinutes: 600,
      credits: 300,
    });
    const running = await runUntil(id, ["running"]);
    await yes.caller.betting.placeBet({ runId: id, side: "yes", amount: 1_000 });
    await no.caller.betting.placeBet({ runId: id, side: "no", amount: 500 });
    writeFileSync(path.resolve(process.env.DATA_DIR!, "sandboxes", running.providerId!, "work", "go"), "");

    const run = await runUntil(id, ENDED, 20_000);
    expect(run.status).toBe("failed");
    expect(run.statusReason).toBe("agent exited with code 3");
    const pool = await waitUntil(async () => {
      const p = await db.pool.findUniqueOrThrow({ where: { runId: id } });
      return p.status === "settled" ? p : null;
    }, "the pool to settle");
    expect(pool.outcome).toBe("no");
    expect(await balanceOf(db, userAccountKey(no.id))).toBe(11_000);
    expect(await balanceOf(db, userAccountKey(yes.id))).toBe(9_000);
    await waitUntil(async () => (await balanceOf(db, `run:${id}`)) === 0, "credits to return");
    expect(await checkLedger(db)).toEqual([]);
  });

  it("finds an agent that exited while no worker was watching it (the periodic process check)", async () => {
    const { providerFor } = await import("../../providers/for-run");
    const { processWatchJob } = await import("./process-watch");
    const { makeRun } = await import("../../domain/betting/fixtures");
    const owner = await makeUser();
    const { runId } = await makeRun(db, { createdById: owner.id });
    const provider = providerFor("local");
    const { providerId } = await provider.create({ runId, labels: {} });
    // Started without onExit, as if by a worker that has since restarted.
    await provider.start(providerId, { command: "exit 4", env: {} });
    await waitUntil(async () => (await provider.status(providerId)).state === "exited", "the process to exit");
    await db.run.update({ where: { id: runId }, data: { providerId, provider: "local" } });

    await processWatchJob.handle({}, {} as never);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.statusReason).toBe("agent exited with code 4");
    expect(await checkLedger(db)).toEqual([]);
  });
});
