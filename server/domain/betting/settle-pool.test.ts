import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { balanceOf, checkLedger, HOUSE_RAKE, userAccountKey } from "../ledger";
import { makeUser } from "../../test/helpers";
import type { RunStatus } from "../../generated/prisma/enums";
import { makeRun, seedBets, seedUsers, settlementLedger } from "./fixtures";
import { placeBet } from "./place-bet-sql";
import { settlePool } from "./settle-pool";

const GRANT = 100_000;

/** A run with bets [user index, side, amount] placed in order, ended with `status`. */
async function pool(bets: [number, "yes" | "no", number][], status: RunStatus) {
  const users = await seedUsers(db, 4, GRANT);
  const owner = await makeUser();
  const run = await makeRun(db, { createdById: owner.id });
  const ids: string[] = [];
  for (const [u, side, amount] of bets) ids.push((await placeBet(pgPool(), { userId: users[u]!, runId: run.runId, side, amount })).betId);
  await db.run.update({ where: { id: run.runId }, data: { status } });
  const balance = (u: number) => balanceOf(db, userAccountKey(users[u]!));
  const payouts = async () => {
    const rows = await db.bet.findMany({ where: { id: { in: ids } }, select: { id: true, payout: true } });
    const byId = new Map(rows.map((r) => [r.id, r.payout === null ? null : Number(r.payout)]));
    return ids.map((id) => byId.get(id));
  };
  return { run, users, ids, balance, payouts };
}

/** The pool's settlement transfers of one kind (keys payout:<poolId>, refund:<poolId>, rake:<poolId>). */
async function transfersOf(poolId: string, kind: "payout" | "refund" | "rake") {
  return db.ledgerTransfer.findMany({ where: { kind, idempotencyKey: `${kind}:${poolId}` }, select: { idempotencyKey: true } });
}

const accountOf = async (userId: string) => (await db.ledgerAccount.findUniqueOrThrow({ where: { userId }, select: { id: true } })).id;

/** Checks the pool's one payout/refund transfer against its bets (see settlementLedger); returns it. */
async function expectSettlementLedger(poolId: string, kind: "payout" | "refund") {
  const { stored, expected } = await settlementLedger(db, poolId, kind);
  expect(stored).toEqual(expected);
  return stored;
}

describe("settlePool", () => {
  it("YES wins: winners split the whole pool pro rata, losers get nothing", async () => {
    const p = await pool(
      [
        [0, "yes", 100],
        [1, "yes", 300],
        [2, "no", 400],
      ],
      "succeeded",
    );
    const result = await settlePool(db, p.run.poolId);
    expect(result).toMatchObject({ state: "settled", outcome: "yes", rake: 0, betCount: 3, paidOut: 800 });
    expect(await p.payouts()).toEqual([200, 600, 0]);
    expect([await p.balance(0), await p.balance(1), await p.balance(2)]).toEqual([GRANT + 100, GRANT + 300, GRANT - 400]);
    const stored = await db.pool.findUniqueOrThrow({ where: { id: p.run.poolId } });
    expect(stored).toMatchObject({ status: "settled", outcome: "yes", rakeCents: 0n, lockReason: "ended" });
    expect(stored.settledAt).toBeInstanceOf(Date);
    expect(await balanceOf(db, `pool:${p.run.poolId}`)).toBe(0);
    // One transfer for the pool: the escrow pays 800, each winning bet is one credit, the loser none.
    const ledger = await expectSettlementLedger(p.run.poolId, "payout");
    expect(ledger.transfers).toEqual([`payout_${p.run.poolId}`]);
    expect(ledger.debits).toEqual([[p.run.escrowId, -800]]);
    expect(ledger.credits).toHaveLength(2);
    expect(ledger.credits).toEqual(
      expect.arrayContaining([
        { betId: p.ids[0], accountId: await accountOf(p.users[0]!), amount: 200 },
        { betId: p.ids[1], accountId: await accountOf(p.users[1]!), amount: 600 },
      ]),
    );
    expect(await transfersOf(p.run.poolId, "refund")).toEqual([]);
    expect(await checkLedger(db)).toEqual([]);
  });

  it.each(["failed", "expired"] as const)("NO wins when the run %s", async (status) => {
    const p = await pool(
      [
        [0, "yes", 500],
        [1, "no", 200],
        [2, "no", 300],
      ],
      status,
    );
    expect(await settlePool(db, p.run.poolId)).toMatchObject({ state: "settled", outcome: "no", paidOut: 1000 });
    expect(await p.payouts()).toEqual([0, 400, 600]);
    expect((await expectSettlementLedger(p.run.poolId, "payout")).credits.map((c) => c.amount).sort((a, b) => a - b)).toEqual([400, 600]);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("a run that reached its target exactly is a success: YES", async () => {
    const users = await seedUsers(db, 2, GRANT);
    const run = await makeRun(db, { createdById: (await seedUsers(db, 1, 1))[0]!, targetValue: 50, currentProgress: 40 });
    await placeBet(pgPool(), { userId: users[0]!, runId: run.runId, side: "yes", amount: 100 });
    await placeBet(pgPool(), { userId: users[1]!, runId: run.runId, side: "no", amount: 100 });
    await db.run.update({ where: { id: run.runId }, data: { status: "succeeded", currentProgress: 50 } });
    expect(await settlePool(db, run.poolId)).toMatchObject({ outcome: "yes", state: "settled" });
  });

  it("only YES bets and YES wins: everyone refunded in full, no rake", async () => {
    const p = await pool(
      [
        [0, "yes", 100],
        [1, "yes", 350],
      ],
      "succeeded",
    );
    expect(await settlePool(db, p.run.poolId, { rakeBps: 500 })).toMatchObject({ state: "refunded", outcome: "yes", rake: 0 });
    expect(await p.payouts()).toEqual([100, 350]);
    expect([await p.balance(0), await p.balance(1)]).toEqual([GRANT, GRANT]);
    expect(await transfersOf(p.run.poolId, "refund")).toEqual([{ idempotencyKey: `refund:${p.run.poolId}` }]);
    expect((await expectSettlementLedger(p.run.poolId, "refund")).credits.map((c) => c.betId).sort()).toEqual([...p.ids].sort());
    expect(await transfersOf(p.run.poolId, "payout")).toEqual([]);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("no stake on the winning side: everyone refunded", async () => {
    const p = await pool(
      [
        [0, "no", 100],
        [1, "no", 250],
      ],
      "succeeded",
    );
    expect(await settlePool(db, p.run.poolId, { rakeBps: 1000 })).toMatchObject({ state: "refunded", outcome: "yes", rake: 0 });
    expect(await p.payouts()).toEqual([100, 250]);
    expect(await db.pool.findUniqueOrThrow({ where: { id: p.run.poolId }, select: { status: true } })).toEqual({ status: "refunded" });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("a canceled run (idle-killed included) refunds everyone, whatever the bets", async () => {
    const p = await pool(
      [
        [0, "yes", 100],
        [1, "no", 900],
        [2, "yes", 150],
      ],
      "canceled",
    );
    expect(await settlePool(db, p.run.poolId, { rakeBps: 1000 })).toMatchObject({
      state: "refunded",
      outcome: null,
      rake: 0,
      paidOut: 1150,
    });
    expect(await p.payouts()).toEqual([100, 900, 150]);
    expect([await p.balance(0), await p.balance(1), await p.balance(2)]).toEqual([GRANT, GRANT, GRANT]);
    expect((await expectSettlementLedger(p.run.poolId, "refund")).debits).toEqual([[p.run.escrowId, -1150]]);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("an empty pool settles as refunded with nothing to move", async () => {
    const p = await pool([], "failed");
    expect(await settlePool(db, p.run.poolId)).toMatchObject({ state: "refunded", paidOut: 0, betCount: 0 });
    // Nothing paid, so no transfer (a transfer without entries would break the books).
    expect(await expectSettlementLedger(p.run.poolId, "refund")).toEqual({ transfers: [], debits: [], credits: [] });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("takes the house rake (floor of total × bps) before the split", async () => {
    // T 1000, rake 5% = 50, D 950, W 600: 316 r400, 633 r200; 1 leftover cent → the first bet
    const p = await pool(
      [
        [0, "yes", 200],
        [1, "yes", 400],
        [2, "no", 400],
      ],
      "succeeded",
    );
    const rakeBefore = await balanceOf(db, HOUSE_RAKE);
    expect(await settlePool(db, p.run.poolId, { rakeBps: 500 })).toMatchObject({ state: "settled", rake: 50, paidOut: 950 });
    expect(await p.payouts()).toEqual([317, 633, 0]);
    expect((await balanceOf(db, HOUSE_RAKE)) - rakeBefore).toBe(50);
    expect(await transfersOf(p.run.poolId, "rake")).toEqual([{ idempotencyKey: `rake:${p.run.poolId}` }]);
    expect((await expectSettlementLedger(p.run.poolId, "payout")).debits).toEqual([[p.run.escrowId, -950]]);
    expect(await db.pool.findUniqueOrThrow({ where: { id: p.run.poolId }, select: { rakeCents: true } })).toEqual({ rakeCents: 50n });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("hands remainder cents to the largest remainders, ties to the earliest bet, so payouts sum to the pool", async () => {
    // Three equal YES stakes splitting 100 cents: 33 each and one leftover cent for the earliest.
    const users = await seedUsers(db, 4, GRANT);
    const run = await makeRun(db, { createdById: users[0]! });
    const t = Date.UTC(2026, 10, 23, 12, 0, 0);
    const [late, early, middle, loser] = await seedBets(db, run, [
      { id: "rem-c", userId: users[0]!, side: "yes", amount: 10, createdAt: new Date(t + 2) },
      { id: "rem-z", userId: users[1]!, side: "yes", amount: 10, createdAt: new Date(t) },
      { id: "rem-a", userId: users[2]!, side: "yes", amount: 10, createdAt: new Date(t + 1) },
      { id: "rem-l", userId: users[3]!, side: "no", amount: 70, createdAt: new Date(t) },
    ]);
    await db.run.update({ where: { id: run.runId }, data: { status: "succeeded" } });
    await settlePool(db, run.poolId);
    const paid = Object.fromEntries(
      (await db.bet.findMany({ where: { poolId: run.poolId }, select: { id: true, payout: true } })).map((b) => [b.id, Number(b.payout)]),
    );
    expect([paid[late!], paid[early!], paid[middle!], paid[loser!]]).toEqual([33, 34, 33, 0]);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("leaves a pool alone while its run is live", async () => {
    const p = await pool([[0, "yes", 100]], "running");
    expect(await settlePool(db, p.run.poolId)).toMatchObject({ state: "run_live", status: "open" });
    expect(await p.payouts()).toEqual([null]);
  });

  describe("exactly once", () => {
    it("a second call does nothing", async () => {
      const p = await pool(
        [
          [0, "yes", 100],
          [1, "no", 300],
        ],
        "succeeded",
      );
      await settlePool(db, p.run.poolId);
      const again = await settlePool(db, p.run.poolId);
      expect(again).toMatchObject({ state: "already", status: "settled", outcome: "yes", paidOut: 0 });
      expect(await transfersOf(p.run.poolId, "payout")).toHaveLength(1);
      expect((await expectSettlementLedger(p.run.poolId, "payout")).credits).toHaveLength(1);
      expect(await p.balance(0)).toBe(GRANT + 300);
      expect(await checkLedger(db)).toEqual([]);
    });

    it("the ledger itself refuses a second payout transfer for the pool, or a second credit for a bet", async () => {
      const p = await pool(
        [
          [0, "yes", 100],
          [1, "no", 300],
        ],
        "succeeded",
      );
      await settlePool(db, p.run.poolId);
      await expect(
        db.$executeRaw`INSERT INTO ledger_transfers (id, kind, "idempotencyKey") VALUES ('second-payout', 'payout', ${`payout:${p.run.poolId}`})`,
      ).rejects.toThrow(/unique/i);
      await expect(
        db.$executeRaw`INSERT INTO ledger_entries ("transferId", "accountId", amount, "betId")
                       VALUES (${`payout_${p.run.poolId}`}, ${await accountOf(p.users[0]!)}, 1, ${p.ids[0]})`,
      ).rejects.toThrow(/unique/i);
      expect(await checkLedger(db)).toEqual([]);
    });

    it("concurrent calls settle once between them", async () => {
      const users = await seedUsers(db, 20, 10_000_000);
      const owner = await makeUser();
      const run = await makeRun(db, { createdById: owner.id });
      await seedBets(
        db,
        run,
        Array.from({ length: 2_000 }, (_, i) => ({ userId: users[i % 20]!, side: i % 3 ? "yes" : "no", amount: 100 + (i % 17) })),
      );
      await db.run.update({ where: { id: run.runId }, data: { status: "failed" } });
      const before = await Promise.all(users.map((u) => balanceOf(db, userAccountKey(u))));
      const results = await Promise.all(Array.from({ length: 6 }, () => settlePool(db, run.poolId)));
      expect(results.map((r) => r.state).sort()).toEqual(["already", "already", "already", "already", "already", "settled"]);
      const winners = await db.bet.count({ where: { poolId: run.poolId, side: "no" } });
      expect(await transfersOf(run.poolId, "payout")).toHaveLength(1);
      expect((await expectSettlementLedger(run.poolId, "payout")).credits).toHaveLength(winners);
      const after = await Promise.all(users.map((u) => balanceOf(db, userAccountKey(u))));
      const gained = after.reduce((s, b, i) => s + b - before[i]!, 0);
      const pool = await db.pool.findUniqueOrThrow({ where: { id: run.poolId } });
      expect(gained).toBe(Number(pool.yesTotal + pool.noTotal));
      expect(await checkLedger(db)).toEqual([]);
    });
  });

  it("settles pools that share bettors concurrently, while those bettors keep betting elsewhere: no deadlock", async () => {
    const users = await seedUsers(db, 10, 100_000_000);
    const owner = await makeUser();
    const ended = [];
    for (let i = 0; i < 4; i++) {
      const run = await makeRun(db, { createdById: owner.id });
      await seedBets(
        db,
        run,
        Array.from({ length: 500 }, (_, j) => ({ userId: users[(i + j) % 10]!, side: j % 2 ? "yes" : "no", amount: 100 + j })),
      );
      await db.run.update({ where: { id: run.runId }, data: { status: i % 2 ? "succeeded" : "failed" } });
      ended.push(run);
    }
    const live = await makeRun(db, { createdById: owner.id });
    const betting = Promise.all(
      users.map(async (userId) => {
        for (let i = 0; i < 20; i++) await placeBet(pgPool(), { userId, runId: live.runId, side: i % 2 ? "yes" : "no", amount: 100 });
      }),
    );
    const results = await Promise.all(ended.map((run) => settlePool(db, run.poolId, { rakeBps: 100 })));
    await betting;
    expect(results.map((r) => r.state)).toEqual(["settled", "settled", "settled", "settled"]);
    expect((await db.pool.findUniqueOrThrow({ where: { id: live.poolId } })).betCount).toBe(200);
    expect(await checkLedger(db)).toEqual([]);
  });
});
