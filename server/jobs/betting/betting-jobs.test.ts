// Locks (progress, time job, run end) and auto-settlement (settle job, duplicate job, sweep),
// through the real BullMQ queues and workers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { closeAllRedis } from "../../lib/redis";
import { checkLedger } from "../../domain/ledger";
import { makeUser } from "../../test/helpers";
import { waitUntil } from "../../test/paddock-harness";
import { makeRun, seedUsers } from "../../domain/betting/fixtures";
import { lockPoolForProgress, placeBet } from "../../domain/betting";
import { closeQueues, enqueue, getQueue } from "../queues";
import { startWorkers, type RunningWorkers } from "../worker";
import { lockPoolJob } from "./lock-pool.job";
import { settlePoolJob } from "./settle-pool.job";
import { sweepPools } from "../../commands/betting";
import { afterRunTerminal, scheduleTimeLock } from "../../commands/pool-effects";
import { settleJobId } from "./specs";

let workers: RunningWorkers;
let bettors: string[];
let ownerId: string;

beforeAll(async () => {
  workers = await startWorkers([lockPoolJob, settlePoolJob]);
  bettors = await seedUsers(db, 2, 100_000);
  ownerId = (await makeUser()).id;
});
afterAll(async () => {
  await workers.close();
  await closeQueues();
  await closeAllRedis();
});

const poolOf = (id: string) => db.pool.findUniqueOrThrow({ where: { id } });

describe("locks", () => {
  it("locks when progress reaches 90% of the target, once", async () => {
    const run = await makeRun(db, { createdById: ownerId, targetValue: 200 });
    expect(await db.$transaction((tx) => lockPoolForProgress(tx, { runId: run.runId, currentProgress: 179.9, targetValue: 200 }))).toEqual({
      locked: false,
    });
    expect((await poolOf(run.poolId)).status).toBe("open");
    expect(await db.$transaction((tx) => lockPoolForProgress(tx, { runId: run.runId, currentProgress: 180, targetValue: 200 }))).toEqual({
      locked: true,
      poolId: run.poolId,
    });
    const pool = await poolOf(run.poolId);
    expect(pool).toMatchObject({ status: "locked", lockReason: "progress" });
    expect(pool.lockedAt).toBeInstanceOf(Date);
    expect(await db.$transaction((tx) => lockPoolForProgress(tx, { runId: run.runId, currentProgress: 200, targetValue: 200 }))).toEqual({
      locked: false,
      poolId: run.poolId,
    });
    expect((await poolOf(run.poolId)).lockReason).toBe("progress");
  });

  it("locks at 80% of the run's time through the delayed lock job", async () => {
    const run = await makeRun(db, { createdById: ownerId });
    const locksAt = new Date(Date.now() + 1_500);
    await scheduleTimeLock(run.runId, locksAt);
    expect((await poolOf(run.poolId)).locksAt?.getTime()).toBe(locksAt.getTime());
    const job = await getQueue(lockPoolJob.name).getJob(`lock-${run.poolId}`);
    expect(job?.opts.delay).toBeGreaterThan(500);
    const pool = await waitUntil(async () => {
      const p = await poolOf(run.poolId);
      return p.status === "locked" ? p : null;
    }, "the time lock");
    expect(pool.lockReason).toBe("time");
    expect(pool.lockedAt!.getTime()).toBeGreaterThanOrEqual(locksAt.getTime() - 5);
  });

  it("locks and settles when the run ends; a duplicate settle job changes nothing", async () => {
    const run = await makeRun(db, { createdById: ownerId });
    const yesBet = await placeBet(pgPool(), { userId: bettors[0]!, runId: run.runId, side: "yes", amount: 1_000 });
    await placeBet(pgPool(), { userId: bettors[1]!, runId: run.runId, side: "no", amount: 3_000 });
    await db.run.update({ where: { id: run.runId }, data: { status: "succeeded" } });
    await afterRunTerminal(run.runId);
    const settled = await waitUntil(async () => {
      const p = await poolOf(run.poolId);
      return p.status === "settled" ? p : null;
    }, "settlement");
    expect(settled).toMatchObject({ lockReason: "ended", outcome: "yes" });

    // The same business key again: BullMQ keeps the finished job, so nothing is queued…
    await afterRunTerminal(run.runId);
    await enqueue(settlePoolJob, { poolId: run.poolId }, { jobId: settleJobId(run.poolId) });
    const counts = await getQueue(settlePoolJob.name).getJobCounts("waiting", "delayed", "active");
    expect(counts).toEqual({ waiting: 0, delayed: 0, active: 0 });
    // …and even a handler run twice pays nothing twice.
    expect(await settlePoolJob.handle({ poolId: run.poolId }, {} as never)).toMatchObject({ state: "already" });
    expect(await db.ledgerTransfer.count({ where: { kind: "payout", idempotencyKey: `payout:${run.poolId}` } })).toBe(1);
    // …its entries: the escrow's debit and the one winning bet's credit.
    const entries = await db.ledgerEntry.findMany({ where: { transferId: `payout_${run.poolId}` }, select: { betId: true, amount: true } });
    expect(entries).toHaveLength(2);
    expect(entries).toEqual(
      expect.arrayContaining([
        { betId: yesBet.betId, amount: 4_000n },
        { betId: null, amount: -4_000n },
      ]),
    );
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("settlement sweep", () => {
  it("settles finished runs whose pools were never handed over, and applies overdue time locks", async () => {
    const ended = await makeRun(db, { createdById: ownerId });
    await placeBet(pgPool(), { userId: bettors[0]!, runId: ended.runId, side: "no", amount: 500 });
    await db.run.update({ where: { id: ended.runId }, data: { status: "canceled" } });
    const overdue = await makeRun(db, { createdById: ownerId, locksAt: new Date(Date.now() - 60_000) });
    const live = await makeRun(db, { createdById: ownerId });

    const result = await sweepPools();
    expect(result.settled).toBeGreaterThanOrEqual(1);
    expect(result.failed).toBe(0);
    expect(await poolOf(ended.poolId)).toMatchObject({ status: "refunded", lockReason: "ended" });
    expect(await poolOf(overdue.poolId)).toMatchObject({ status: "locked", lockReason: "time" });
    expect((await poolOf(live.poolId)).status).toBe("open");
    expect(await sweepPools()).toMatchObject({ settled: 0, timeLocked: 0 });
    expect(await checkLedger(db)).toEqual([]);
  });
});
