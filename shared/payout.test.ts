import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { refundAll, splitPool, type PoolBet, type PoolSplit } from "./payout";
import type { BetSide } from "./odds";

const yes = (id: string, amount: number, placedAt = 0): PoolBet => ({ id, side: "yes", amount, placedAt });
const no = (id: string, amount: number, placedAt = 0): PoolBet => ({ id, side: "no", amount, placedAt });
const amounts = (split: PoolSplit) => Object.fromEntries(split.payouts.map((p) => [p.betId, p.amount]));

/**
 * Golden cases: the SQL settlement must reproduce these numbers exactly.
 * `expected` maps every bet id to its payout (losers 0).
 */
const GOLDEN: {
  name: string;
  bets: PoolBet[];
  outcome: BetSide;
  rakeBps: number;
  kind: PoolSplit["kind"];
  rake: number;
  expected: Record<string, number>;
}[] = [
  {
    name: "the first (and only) bet wins: nobody lost, refund",
    bets: [yes("a", 1000)],
    outcome: "yes",
    rakeBps: 0,
    kind: "refunded",
    rake: 0,
    expected: { a: 1000 },
  },
  {
    name: "the first (and only) bet loses: nobody on the winning side, refund",
    bets: [yes("a", 1000)],
    outcome: "no",
    rakeBps: 500,
    kind: "refunded",
    rake: 0,
    expected: { a: 1000 },
  },
  {
    name: "only YES bets and YES wins: everyone gets their stake back exactly",
    bets: [yes("a", 123, 1), yes("b", 4567, 2), yes("c", 1, 3)],
    outcome: "yes",
    rakeBps: 0,
    kind: "refunded",
    rake: 0,
    expected: { a: 123, b: 4567, c: 1 },
  },
  {
    name: "only NO bets and NO wins: refunded in full, no rake even when one is configured",
    bets: [no("a", 300, 1), no("b", 201, 2)],
    outcome: "no",
    rakeBps: 1000,
    kind: "refunded",
    rake: 0,
    expected: { a: 300, b: 201 },
  },
  {
    name: "no stake on the winning side: everyone refunded, no rake",
    bets: [no("a", 300, 1), no("b", 200, 2)],
    outcome: "yes",
    rakeBps: 1000,
    kind: "refunded",
    rake: 0,
    expected: { a: 300, b: 200 },
  },
  {
    name: "simple pro rata, losers get 0",
    bets: [yes("a", 100, 1), yes("b", 300, 2), no("c", 400, 3)],
    outcome: "yes",
    rakeBps: 0,
    kind: "paid",
    rake: 0,
    expected: { a: 200, b: 600, c: 0 },
  },
  {
    name: "3 winners splitting 100 cents: the leftover cent goes to the earliest",
    bets: [yes("a", 10, 3), yes("b", 10, 1), yes("c", 10, 2), no("d", 70, 0)],
    outcome: "yes",
    rakeBps: 0,
    kind: "paid",
    rake: 0,
    expected: { a: 33, b: 34, c: 33, d: 0 },
  },
  {
    name: "same placedAt: the tie falls to the smaller id (code-unit order, 'B' < 'a')",
    bets: [yes("a", 10, 5), yes("B", 10, 5), yes("c", 10, 5), no("d", 71, 0)],
    outcome: "yes",
    rakeBps: 0,
    kind: "paid",
    rake: 0,
    // D = 101, each quota 33.67 → base 33, rem 20 each, 2 leftover cents
    expected: { B: 34, a: 34, c: 33, d: 0 },
  },
  {
    name: "a larger remainder beats an earlier bet",
    // D = 100, W = 3: a 100*1/3 = 33 r1, b 100*2/3 = 66 r2 → b gets the cent
    bets: [yes("a", 1, 1), yes("b", 2, 2), no("c", 97, 0)],
    outcome: "yes",
    rakeBps: 0,
    kind: "paid",
    rake: 0,
    expected: { a: 33, b: 67, c: 0 },
  },
  {
    name: "rake is floor(total * bps / 10000) and comes off before the split",
    // T 1000, rake 50, D 950, W 600: a 316 r400, b 633 r200, 1 leftover → a
    bets: [yes("a", 200, 1), yes("b", 400, 2), no("c", 400, 3)],
    outcome: "yes",
    rakeBps: 500,
    kind: "paid",
    rake: 50,
    expected: { a: 317, b: 633, c: 0 },
  },
  {
    name: "rake floors: 3% of 999 cents is 29",
    bets: [no("a", 333, 1), yes("b", 666, 2)],
    outcome: "no",
    rakeBps: 300,
    kind: "paid",
    rake: 29,
    expected: { a: 970, b: 0 },
  },
  {
    name: "rake 100% leaves winners 0",
    bets: [yes("a", 10, 1), no("b", 20, 2)],
    outcome: "no",
    rakeBps: 10_000,
    kind: "paid",
    rake: 30,
    expected: { a: 0, b: 0 },
  },
  {
    name: "NO wins with several losers and leftovers",
    // T 1001, D 1001, W 7: a 1001*3/7 = 429 r0, b 1001*4/7 = 572 r0
    bets: [no("a", 3, 1), no("b", 4, 2), yes("c", 500, 3), yes("d", 494, 4)],
    outcome: "no",
    rakeBps: 0,
    kind: "paid",
    rake: 0,
    expected: { a: 429, b: 572, c: 0, d: 0 },
  },
  {
    name: "totals at 2^53 - 1 stay exact",
    bets: [yes("a", 3, 1), yes("b", 4, 2), no("c", Number.MAX_SAFE_INTEGER - 7, 3)],
    outcome: "yes",
    rakeBps: 1,
    kind: "paid",
    // rake floor((2^53-1)/10000) = 900719925474; D = 9006298534815517
    // a: 3D/7 = 3859842229206650 r 1; b: 4D/7 = 5146456305608866 r 6 → b +1
    rake: 900719925474,
    expected: { a: 3859842229206650, b: 5146456305608867, c: 0 },
  },
];

describe("splitPool golden cases", () => {
  for (const c of GOLDEN) {
    it(c.name, () => {
      const split = splitPool({ bets: c.bets, outcome: c.outcome, rakeBps: c.rakeBps });
      expect(split.kind).toBe(c.kind);
      expect(split.rake).toBe(c.rake);
      expect(amounts(split)).toEqual(c.expected);
      const total = c.bets.reduce((s, b) => s + BigInt(b.amount), 0n);
      expect(split.payouts.reduce((s, p) => s + BigInt(p.amount), BigInt(split.rake))).toBe(total);
    });
  }
});

describe("splitPool", () => {
  it("refunds an empty pool with no payouts", () => {
    expect(splitPool({ bets: [], outcome: "yes", rakeBps: 500 })).toEqual({ kind: "refunded", rake: 0, payouts: [] });
  });

  it("lists every bet once, ordered by placedAt then id, whatever the input order", () => {
    const bets = [no("z", 5, 2), yes("b", 5, 1), yes("a", 5, 1), no("c", 5, 0)];
    const split = splitPool({ bets, outcome: "yes", rakeBps: 0 });
    expect(split.payouts.map((p) => p.betId)).toEqual(["c", "a", "b", "z"]);
  });

  it("does not mutate its input", () => {
    const bets = Object.freeze([Object.freeze(yes("b", 7, 2)), Object.freeze(no("a", 3, 1))]);
    const copy = structuredClone(bets);
    splitPool({ bets, outcome: "yes", rakeBps: 250 });
    expect(bets).toEqual(copy);
  });

  it("rejects invalid input with a RangeError naming the field", () => {
    const ok = [yes("a", 1)];
    expect(() => splitPool({ bets: ok, outcome: "maybe" as BetSide, rakeBps: 0 })).toThrow(/outcome/);
    for (const rakeBps of [-1, 10_001, 1.5, Number.NaN]) {
      expect(() => splitPool({ bets: ok, outcome: "yes", rakeBps })).toThrow(/rakeBps/);
    }
    const bad: [unknown, RegExp][] = [
      [[yes("a", 0)], /bets\[0\]\.amount/],
      [[yes("a", -5)], /bets\[0\]\.amount/],
      [[yes("a", 1.5)], /bets\[0\]\.amount/],
      [[yes("a", 2 ** 53)], /bets\[0\]\.amount/],
      [[yes("a", 1), yes("a", 2)], /bets\[1\]\.id "a" is duplicated/],
      [[yes("", 1)], /bets\[0\]\.id/],
      [[{ ...yes("a", 1), side: "YES" }], /bets\[0\]\.side/],
      [[{ ...yes("a", 1), placedAt: Number.NaN }], /bets\[0\]\.placedAt/],
      [[yes("a", Number.MAX_SAFE_INTEGER), no("b", 1)], /safe integer range/],
      [[null], /bets\[0\]/],
      ["nope", /bets must be an array/],
    ];
    for (const [bets, message] of bad) {
      expect(() => splitPool({ bets: bets as PoolBet[], outcome: "yes", rakeBps: 0 })).toThrow(message);
    }
  });
});

describe("refundAll", () => {
  it("returns every stake exactly, no rake, in canonical order", () => {
    const split = refundAll([no("b", 250, 2), yes("a", 100, 1)]);
    expect(split).toEqual({
      kind: "refunded",
      rake: 0,
      payouts: [
        { betId: "a", amount: 100 },
        { betId: "b", amount: 250 },
      ],
    });
    expect(refundAll([])).toEqual({ kind: "refunded", rake: 0, payouts: [] });
  });

  it("validates like splitPool", () => {
    expect(() => refundAll([yes("a", 1), no("a", 1)])).toThrow(/duplicated/);
  });
});

// ---------------------------------------------------------------- properties

const RUNS = 5000;

/** Pools with tie-prone placedAt/ids and amounts from 1 cent to large. */
const betsArb = (maxAmount: number, maxLength = 25) =>
  fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      side: fc.constantFrom<BetSide>("yes", "no"),
      amount: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: maxAmount })),
      placedAt: fc.integer({ min: 0, max: 5 }),
    }),
    { selector: (bet) => bet.id, maxLength },
  );

const poolArb = fc.record({
  bets: betsArb(1_000_000_000),
  outcome: fc.constantFrom<BetSide>("yes", "no"),
  rakeBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 })),
});

/** Up to 8 bets whose total may reach 2^53 - 1. */
const hugePoolArb = fc.record({
  bets: betsArb(Math.floor(Number.MAX_SAFE_INTEGER / 8), 8),
  outcome: fc.constantFrom<BetSide>("yes", "no"),
  rakeBps: fc.integer({ min: 0, max: 10_000 }),
});

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + BigInt(x), 0n);
const rank = (a: PoolBet, b: PoolBet) => a.placedAt - b.placedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function checkInvariants({ bets, outcome, rakeBps }: { bets: PoolBet[]; outcome: BetSide; rakeBps: number }) {
  const split = splitPool({ bets, outcome, rakeBps });
  const total = sum(bets.map((b) => b.amount));
  const winners = bets.filter((b) => b.side === outcome);
  const W = sum(winners.map((b) => b.amount));
  const paid = new Map(split.payouts.map((p) => [p.betId, p.amount]));

  // conservation, exactly
  expect(sum(split.payouts.map((p) => p.amount)) + BigInt(split.rake)).toBe(total);
  // one entry per bet, non-negative safe integers
  expect(split.payouts).toHaveLength(bets.length);
  expect(paid.size).toBe(bets.length);
  for (const p of split.payouts) expect(Number.isSafeInteger(p.amount) && p.amount >= 0).toBe(true);
  expect(Number.isSafeInteger(split.rake) && split.rake >= 0).toBe(true);

  if (W === 0n || W === total) {
    expect(split.kind).toBe("refunded");
    expect(split.rake).toBe(0);
    for (const b of bets) expect(paid.get(b.id)).toBe(b.amount);
    return split;
  }

  expect(split.kind).toBe("paid");
  expect(BigInt(split.rake)).toBe((total * BigInt(rakeBps)) / 10_000n);
  const D = total - BigInt(split.rake);
  for (const b of bets) {
    const got = BigInt(paid.get(b.id)!);
    if (b.side !== outcome) {
      expect(got).toBe(0n);
      continue;
    }
    // each winner gets its exact quota rounded down or up by one cent
    const base = (D * BigInt(b.amount)) / W;
    expect(got === base || got === base + 1n).toBe(true);
    if (rakeBps === 0) expect(got >= BigInt(b.amount)).toBe(true);
  }
  // largest remainder: anyone who got the extra cent outranks anyone who did not
  const rem = (b: PoolBet) => (D * BigInt(b.amount)) % W;
  const extra = (b: PoolBet) => BigInt(paid.get(b.id)!) > (D * BigInt(b.amount)) / W;
  for (const a of winners.filter(extra)) {
    expect(rem(a) > 0n).toBe(true);
    for (const b of winners.filter((w) => !extra(w))) {
      expect(rem(a) > rem(b) || (rem(a) === rem(b) && rank(a, b) < 0)).toBe(true);
    }
  }
  return split;
}

describe("splitPool properties", () => {
  it("conserves money exactly, pays integers, respects the quota and the remainder ranking", () => {
    fc.assert(
      fc.property(poolArb, (pool) => void checkInvariants(pool)),
      { numRuns: RUNS },
    );
  });

  it("holds the same invariants for totals up to 2^53 - 1", () => {
    fc.assert(
      fc.property(hugePoolArb, (pool) => void checkInvariants(pool)),
      { numRuns: RUNS },
    );
  });

  it("with rake 0 no winner gets less than their stake", () => {
    fc.assert(
      fc.property(poolArb, ({ bets, outcome }) => {
        const paid = amounts(splitPool({ bets, outcome, rakeBps: 0 }));
        for (const b of bets) if (b.side === outcome) expect(paid[b.id]).toBeGreaterThanOrEqual(b.amount);
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic and independent of input order", () => {
    const arb = poolArb.chain((pool) =>
      fc.tuple(fc.constant(pool), fc.shuffledSubarray(pool.bets, { minLength: pool.bets.length, maxLength: pool.bets.length })),
    );
    fc.assert(
      fc.property(arb, ([pool, shuffled]) => {
        const first = splitPool(pool);
        expect(splitPool(pool)).toEqual(first);
        expect(splitPool({ ...pool, bets: shuffled })).toEqual(first);
      }),
      { numRuns: RUNS },
    );
  });

  it("refundAll returns every stake and conserves the pool", () => {
    fc.assert(
      fc.property(poolArb, ({ bets }) => {
        const split = refundAll(bets);
        expect(split.rake).toBe(0);
        expect(amounts(split)).toEqual(Object.fromEntries(bets.map((b) => [b.id, b.amount])));
      }),
      { numRuns: RUNS },
    );
  });
});
