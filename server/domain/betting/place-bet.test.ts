import { describe, expect, it } from "vitest";
import { formatCents } from "@shared/money";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { config } from "../../config";
import { AppError } from "../../lib/errors";
import { balanceOf, checkLedger, userAccountKey } from "../ledger";
import { makeUser } from "../../test/helpers";
import { makeRun, moneySnapshot, seedUsers } from "./fixtures";
import { betBatchStats, placeBet } from "./place-bet-sql";
import { lockPool } from "./pools";
import { settlePool } from "./settle-pool";

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Runs are created by someone other than their bettors: a creator may not bet on their own run. */
const creatorId = async () => (await makeUser({ grant: 0 })).id;

describe("placeBet", () => {
  it("moves the stake into the pool's escrow, bumps the totals and records the odds", async () => {
    const user = await makeUser({ grant: 10_000 });
    const run = await makeRun(db, { createdById: await creatorId() });
    const first = await placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 300 });
    expect(first).toMatchObject({ side: "yes", amount: 300, oddsAtPlacement: 1, balance: 9_700, userName: user.name });
    expect(first.pool).toEqual({ yesTotal: 300, noTotal: 0, betCount: 1 });
    const second = await placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "no", amount: 100 });
    // NO after the bet: total 400 / side 100
    expect(second.oddsAtPlacement).toBe(4);
    expect(second.pool).toEqual({ yesTotal: 300, noTotal: 100, betCount: 2 });

    const bet = await db.bet.findUniqueOrThrow({ where: { id: second.betId } });
    expect(bet).toMatchObject({ poolId: run.poolId, userId: user.id, side: "no", amount: 100, oddsAtPlacement: 4, payout: null });
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(9_600);
    expect(await balanceOf(db, `pool:${run.poolId}`)).toBe(400);
    const transfers = await db.ledgerTransfer.findMany({ where: { kind: "bet" }, select: { entries: { select: { amount: true } } } });
    expect(transfers).toHaveLength(2);
    expect(await checkLedger(db)).toEqual([]);
  });

  describe("refusals name the field and write nothing", () => {
    it.each([
      ["below the minimum", () => config.MIN_BET_CENTS - 1],
      ["above the maximum", () => config.MAX_BET_CENTS + 1],
      ["not whole cents", () => 150.5],
      ["zero", () => 0],
    ])("amount %s", async (_name, amount) => {
      const user = await makeUser({ grant: 10_000_000 });
      const run = await makeRun(db, { createdById: await creatorId() });
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: amount() }));
      expect(err).toMatchObject({ code: "BAD_REQUEST", field: "amount" });
      expect(err.message).toContain(`between ${formatCents(config.MIN_BET_CENTS)} and ${formatCents(config.MAX_BET_CENTS)}`);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it("balance too short", async () => {
      const user = await makeUser({ grant: 250 });
      const run = await makeRun(db, { createdById: await creatorId() });
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "no", amount: 300 }));
      expect(err).toMatchObject({ code: "INSUFFICIENT_FUNDS", field: "amount" });
      expect(err.message).toMatch(/amount 300 exceeds your balance of 250/);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it.each(["progress", "time", "ended"] as const)("pool locked (%s)", async (reason) => {
      const user = await makeUser();
      const run = await makeRun(db, { createdById: await creatorId() });
      await lockPool(db, { runId: run.runId, reason });
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 500 }));
      expect(err).toMatchObject({ code: "CONFLICT", field: "runId" });
      expect(err.message).toMatch(/bets on this run are closed: the pool is locked/);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it("pool settled", async () => {
      const user = await makeUser();
      const run = await makeRun(db, { createdById: await creatorId() });
      await placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 500 });
      await db.run.update({ where: { id: run.runId }, data: { status: "succeeded" } });
      await settlePool(db, run.poolId);
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "no", amount: 500 }));
      expect(err).toMatchObject({ code: "CONFLICT", field: "runId" });
      expect(err.message).toMatch(/the pool is refunded/);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it.each(["succeeded", "failed", "canceled", "expired"] as const)("run %s (pool not locked yet)", async (status) => {
      const user = await makeUser();
      const run = await makeRun(db, { createdById: await creatorId(), status });
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 500 }));
      expect(err).toMatchObject({ code: "CONFLICT", field: "runId" });
      expect(err.message).toMatch(/bets are only taken while a run is queued, booting, running/);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it.each(["queued", "booting", "running"] as const)("accepts bets while the run is %s", async (status) => {
      const user = await makeUser();
      const run = await makeRun(db, { createdById: await creatorId(), status });
      await expect(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 500 })).resolves.toMatchObject({
        amount: 500,
      });
    });

    it("time lock due even though its job has not run yet", async () => {
      const user = await makeUser();
      const run = await makeRun(db, { createdById: await creatorId(), locksAt: new Date(Date.now() - 1000) });
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: run.runId, side: "yes", amount: 500 }));
      expect(err).toMatchObject({ code: "CONFLICT", field: "runId" });
      expect(err.message).toMatch(/80% of the run's time has elapsed/);
      expect(await moneySnapshot(db)).toEqual(before);
    });

    it("unknown run", async () => {
      const user = await makeUser();
      const before = await moneySnapshot(db);
      const err = await refusal(placeBet(pgPool(), { userId: user.id, runId: "no-such-run", side: "yes", amount: 500 }));
      expect(err).toMatchObject({ code: "NOT_FOUND", field: "runId" });
      expect(await moneySnapshot(db)).toEqual(before);
    });
  });

  it("under 2,000 concurrent bets from 50 users while the pool locks: no lost update, no overdraft, nothing after the lock", async () => {
    const grant = 20_000;
    const users = await seedUsers(db, 50, grant);
    const owner = await makeUser();
    const run = await makeRun(db, { createdById: owner.id });
    const accepted: { userId: string; side: "yes" | "no"; amount: number; betId: string }[] = [];
    const refused: Record<string, number> = {};
    let lockedAtCount: number | null = null;

    const bettor = async (userId: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const side = Math.random() < 0.5 ? "yes" : "no";
        // Stakes big enough that some users run dry: overdrafts must be refused, not allowed.
        const amount = 100 + Math.floor(Math.random() * 900);
        try {
          const bet = await placeBet(pgPool(), { userId, runId: run.runId, side, amount });
          accepted.push({ userId, side, amount, betId: bet.betId });
        } catch (e) {
          const code = e instanceof AppError ? e.code : String(e);
          refused[code] = (refused[code] ?? 0) + 1;
        }
        if (accepted.length >= 800 && lockedAtCount === null) {
          lockedAtCount = accepted.length;
          await lockPool(db, { runId: run.runId, reason: "progress" });
        }
      }
    };
    await Promise.all(users.map((u) => bettor(u, 40)));

    expect(accepted.length + Object.values(refused).reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(Object.keys(refused).sort()).toEqual(expect.arrayContaining(["CONFLICT"]));
    expect(Object.keys(refused).every((c) => c === "CONFLICT" || c === "INSUFFICIENT_FUNDS")).toBe(true);
    expect(await checkLedger(db)).toEqual([]);

    const pool = await db.pool.findUniqueOrThrow({ where: { id: run.poolId } });
    const sum = (side: "yes" | "no") => accepted.filter((b) => b.side === side).reduce((s, b) => s + b.amount, 0);
    expect(pool.status).toBe("locked");
    expect(Number(pool.yesTotal)).toBe(sum("yes"));
    expect(Number(pool.noTotal)).toBe(sum("no"));
    expect(pool.betCount).toBe(accepted.length);
    expect(await db.bet.count({ where: { poolId: run.poolId } })).toBe(accepted.length);
    expect(await balanceOf(db, `pool:${run.poolId}`)).toBe(sum("yes") + sum("no"));

    const late = await db.bet.count({ where: { poolId: run.poolId, createdAt: { gt: pool.lockedAt! } } });
    expect(late).toBe(0);
    for (const userId of users) {
      const staked = accepted.filter((b) => b.userId === userId).reduce((s, b) => s + b.amount, 0);
      expect(await balanceOf(db, userAccountKey(userId))).toBe(grant - staked);
    }
  });

  describe("concurrent bets on one pool go out together", () => {
    it("share statements, and each gets the odds and totals right after it, in order", async () => {
      const grant = 50_000;
      const users = await seedUsers(db, 30, grant);
      const owner = await makeUser();
      const run = await makeRun(db, { createdById: owner.id });
      const before = { ...betBatchStats };
      const wanted = users.map((userId, i) => ({ userId, side: i % 3 === 0 ? ("no" as const) : ("yes" as const), amount: 100 + 37 * i }));
      const placed = await Promise.all(wanted.map((w) => placeBet(pgPool(), { ...w, runId: run.runId })));
      expect(betBatchStats.bets - before.bets).toBe(30);
      expect(betBatchStats.statements - before.statements).toBeLessThan(30);

      // Replayed one by one in the order the pool saw them, every bet's figures hold.
      const inOrder = [...placed].sort((a, b) => a.pool.betCount - b.pool.betCount);
      expect(inOrder.map((b) => b.pool.betCount)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      let yes = 0;
      let no = 0;
      for (const bet of inOrder) {
        if (bet.side === "yes") yes += bet.amount;
        else no += bet.amount;
        expect(bet.pool).toMatchObject({ yesTotal: yes, noTotal: no });
        expect(bet.oddsAtPlacement).toBeCloseTo((yes + no) / (bet.side === "yes" ? yes : no), 12);
        expect(bet.balance).toBe(grant - bet.amount);
      }
      const stored = await db.bet.findMany({ where: { poolId: run.poolId }, select: { id: true, oddsAtPlacement: true } });
      expect(new Map(stored.map((b) => [b.id, b.oddsAtPlacement]))).toEqual(new Map(placed.map((b) => [b.betId, b.oddsAtPlacement])));
      expect(await checkLedger(db)).toEqual([]);
    });

    it("a user's bets in one burst are checked against the balance one after another", async () => {
      const [short, ...others] = await seedUsers(db, 6, 1_000);
      const owner = await makeUser();
      const run = await makeRun(db, { createdById: owner.id });
      const outcomes = await Promise.allSettled([
        ...[1, 2, 3].map(() => placeBet(pgPool(), { userId: short!, runId: run.runId, side: "yes", amount: 400 })),
        ...others.map((userId) => placeBet(pgPool(), { userId, runId: run.runId, side: "no", amount: 300 })),
      ]);
      const mine = outcomes.slice(0, 3);
      expect(mine.filter((o) => o.status === "fulfilled")).toHaveLength(2);
      const refusedMine = mine.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(refusedMine.reason).toMatchObject({ code: "INSUFFICIENT_FUNDS", field: "amount" });
      expect(refusedMine.reason.message).toMatch(/amount 400 exceeds your balance of 200/);
      expect(outcomes.slice(3).every((o) => o.status === "fulfilled")).toBe(true);
      expect(await balanceOf(db, userAccountKey(short!))).toBe(200);
      expect(await db.pool.findUniqueOrThrow({ where: { id: run.poolId } })).toMatchObject({
        betCount: 7,
        yesTotal: 800n,
        noTotal: 1_500n,
      });
      expect(await checkLedger(db)).toEqual([]);
    });

    it("a bet refused in a shared statement writes nothing and takes nothing from the others", async () => {
      const users = await seedUsers(db, 4, 10_000);
      const owner = await makeUser();
      const run = await makeRun(db, { createdById: owner.id });
      const before = await moneySnapshot(db);
      const outcomes = await Promise.allSettled([
        ...users.map((userId) => placeBet(pgPool(), { userId, runId: run.runId, side: "yes", amount: 500 })),
        placeBet(pgPool(), { userId: "no-such-user", runId: run.runId, side: "no", amount: 500 }),
      ]);
      expect(outcomes.slice(0, 4).every((o) => o.status === "fulfilled")).toBe(true);
      expect(outcomes[4]).toMatchObject({ status: "rejected", reason: { code: "NOT_FOUND" } });
      expect(await db.pool.findUniqueOrThrow({ where: { id: run.poolId } })).toMatchObject({ betCount: 4, yesTotal: 2_000n, noTotal: 0n });
      const after = await moneySnapshot(db);
      expect(after.counts).toEqual({
        bets: before.counts!.bets + 4,
        transfers: before.counts!.transfers + 4,
        entries: before.counts!.entries + 8,
      });
      expect(await checkLedger(db)).toEqual([]);
    });
  });
});
