// The set-based SQL settlement must pay exactly what shared/payout.ts splitPool (the reference)
// pays, bet for bet, on random pools: tie-prone timestamps, ids differing only in case, stakes
// from 1 cent to the column's maximum, any rake, every kind of ending.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { db } from "../../lib/db";
import { checkLedger } from "../ledger";
import { refundAll, splitPool, type PoolBet } from "@shared/payout";
import type { RunStatus } from "../../generated/prisma/enums";
import { makeRun, randomBets, seedBets, seedUsers, settlementLedger, type SeedBet } from "./fixtures";
import { settlePool } from "./settle-pool";
import { outcomeForRun } from "./rules";

let users: string[] = [];
let poolNo = 0;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

beforeAll(async () => {
  users = await seedUsers(db, 6, 10_000_000_000_000);
});

async function settleAndCompare(bets: SeedBet[], status: RunStatus, rakeBps: number) {
  const run = await makeRun(db, { createdById: users[0]! });
  await seedBets(db, run, bets);
  await db.run.update({ where: { id: run.runId }, data: { status } });
  const result = await settlePool(db, run.poolId, { rakeBps });

  const stored = await db.bet.findMany({
    where: { poolId: run.poolId },
    select: { id: true, side: true, amount: true, createdAt: true, payout: true },
  });
  const reference: PoolBet[] = stored.map((b) => ({ id: b.id, side: b.side, amount: b.amount, placedAt: b.createdAt.getTime() }));
  const outcome = outcomeForRun(status, new Date()); // makeRun's runs have started
  const split = outcome === null ? refundAll(reference) : splitPool({ bets: reference, outcome, rakeBps });

  const paid = Object.fromEntries(stored.map((b) => [b.id, Number(b.payout)]));
  expect(paid).toEqual(Object.fromEntries(split.payouts.map((p) => [p.betId, p.amount])));
  expect(result.rake).toBe(split.rake);
  expect(result.state).toBe(split.kind === "paid" ? "settled" : "refunded");
  // One transfer for the pool, one credit per bet paid something, carrying exactly its payout.
  const { stored: ledger, expected } = await settlementLedger(db, run.poolId, split.kind === "paid" ? "payout" : "refund");
  expect(ledger).toEqual(expected);
  expect(Object.fromEntries(ledger.credits.map((c) => [c.betId, c.amount]))).toEqual(
    Object.fromEntries(split.payouts.filter((p) => p.amount > 0).map((p) => [p.betId, p.amount])),
  );
}

const betArb = fc.record({
  id: fc.string({ unit: fc.constantFrom("a", "A", "b", "B", "z", "Z", "0", "9", "_", "-"), minLength: 1, maxLength: 3 }),
  user: fc.integer({ min: 0, max: 5 }),
  side: fc.constantFrom<"yes" | "no">("yes", "no"),
  amount: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  ms: fc.integer({ min: 0, max: 3 }),
});

const poolArb = fc.record({
  bets: fc.uniqueArray(betArb, { selector: (b) => b.id, maxLength: 30 }),
  status: fc.constantFrom<RunStatus>("succeeded", "failed", "expired", "canceled"),
  rakeBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 })),
});

describe("SQL settlement == splitPool", () => {
  it("on random pools", async () => {
    await fc.assert(
      fc.asyncProperty(poolArb, async ({ bets, status, rakeBps }) => {
        const prefix = `p${++poolNo}-`;
        await settleAndCompare(
          bets.map((b) => ({ id: prefix + b.id, userId: users[b.user]!, side: b.side, amount: b.amount, createdAt: new Date(T0 + b.ms) })),
          status,
          rakeBps,
        );
      }),
      { numRuns: 60 },
    );
    expect(await checkLedger(db)).toEqual([]);
  });

  it("on a 5,000-bet pool full of millisecond ties", async () => {
    for (const [status, rakeBps] of [
      ["succeeded", 250],
      ["failed", 0],
    ] as const) {
      await settleAndCompare(randomBets(users, 5_000, { yesShare: 0.3 }), status, rakeBps);
    }
    expect(await checkLedger(db)).toEqual([]);
  });
});
