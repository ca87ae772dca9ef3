// A run stuck in `booting` (its launch stalled, its worker died) is failed by the lifecycle sweep
// after BOOTING_TIMEOUT_MINUTES: its credits go back to its creator and, since it never started,
// its bets are refunded rather than paid to NO.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { config } from "../../config";
import { balanceOf, checkLedger, userAccountKey } from "../../domain/ledger";
import { transitionRun } from "../../domain/runs/lifecycle";
import { outcomeForRun, settlePool } from "../../domain/betting";
import { makeRun } from "../../domain/betting/fixtures";
import { idleKillJob } from "./lifecycle-sweep";

const sweep = () => idleKillJob.handle({}, {} as never) as Promise<{ stalled: number }>;

async function bootingRun(creator: Awaited<ReturnType<typeof makeUser>>, agentId: string) {
  const { id } = await creator.caller.run.create({
    goal: "Boot",
    metric: "points",
    targetValue: 10,
    agentId,
    durationMinutes: 60,
    credits: 500,
  });
  await transitionRun(db, { runId: id, to: "booting", reason: "launching" });
  return id;
}

/** Moves the run's change to booting `minutes` (of MINUTE_SECONDS) into the past. */
async function bootedAgo(runId: string, minutes: number) {
  const at = new Date(Date.now() - minutes * config.MINUTE_SECONDS * 1000);
  await db.runEvent.updateMany({ where: { runId, kind: "status" }, data: { createdAt: at } });
  await db.run.update({ where: { id: runId }, data: { createdAt: at } });
}

describe("the booting sweep", () => {
  it("fails a run booting past the timeout, returns its credits and refunds its bets; a fresh one keeps booting", async () => {
    expect(config.BOOTING_TIMEOUT_MINUTES).toBe(10);
    const { id: agentId } = await db.agent.create({
      data: { slug: "booting-sweep", name: "Slow starter", model: "slow" },
      select: { id: true },
    });
    const creator = await makeUser({ grant: 10_000 });
    const yes = await makeUser({ grant: 10_000 });
    const no = await makeUser({ grant: 10_000 });

    const stuck = await bootingRun(creator, agentId);
    const fresh = await bootingRun(creator, agentId);
    await yes.caller.betting.placeBet({ runId: stuck, side: "yes", amount: 400 });
    await no.caller.betting.placeBet({ runId: stuck, side: "no", amount: 700 });
    await bootedAgo(stuck, config.BOOTING_TIMEOUT_MINUTES + 1);
    await bootedAgo(fresh, config.BOOTING_TIMEOUT_MINUTES - 1);

    expect(await sweep()).toMatchObject({ stalled: 1 });
    const run = await db.run.findUniqueOrThrow({ where: { id: stuck }, select: { status: true, statusReason: true, startedAt: true } });
    expect(run).toEqual({ status: "failed", statusReason: "never started: still booting after 10 minutes", startedAt: null });
    expect((await db.run.findUniqueOrThrow({ where: { id: fresh }, select: { status: true } })).status).toBe("booting");

    // The whole budget of the stuck run came back; the fresh run's is still out.
    expect(await balanceOf(db, `run:${stuck}`)).toBe(0);
    expect(await balanceOf(db, userAccountKey(creator.id))).toBe(10_000 - 500);

    const pool = await db.pool.findUniqueOrThrow({ where: { runId: stuck }, select: { id: true } });
    const settled = await settlePool(db, pool.id);
    expect(settled).toMatchObject({ state: "refunded", outcome: null });
    expect(await balanceOf(db, userAccountKey(yes.id))).toBe(10_000);
    expect(await balanceOf(db, userAccountKey(no.id))).toBe(10_000);
    expect(await checkLedger(db)).toEqual([]);

    // A second sweep finds nothing more to do.
    expect(await sweep()).toMatchObject({ stalled: 0 });
  });
});

describe("the outcome of a run that never started", () => {
  it("is a refund whatever it ended as; a run that started and failed still pays NO", async () => {
    for (const status of ["failed", "expired", "canceled", "succeeded"] as const) expect(outcomeForRun(status, null)).toBeNull();
    expect(outcomeForRun("failed", new Date())).toBe("no");
    expect(outcomeForRun("expired", new Date())).toBe("no");
    expect(outcomeForRun("succeeded", new Date())).toBe("yes");
  });

  it("a run whose launch failed refunds its pool", async () => {
    const owner = await makeUser();
    const bettor = await makeUser({ grant: 5_000 });
    const run = await makeRun(db, { createdById: owner.id, status: "queued" });
    await db.run.update({ where: { id: run.runId }, data: { startedAt: null } });
    await bettor.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 1_000 });
    await transitionRun(db, { runId: run.runId, to: "failed", reason: "launch failed" });
    expect(await settlePool(db, run.poolId)).toMatchObject({ state: "refunded", outcome: null });
    expect(await balanceOf(db, userAccountKey(bettor.id))).toBe(5_000);
  });
});
