import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { computeOdds, formatMultiplier, formatPercent, quoteBet, type BetSide } from "./odds";
import { splitPool } from "./payout";

describe("computeOdds", () => {
  it("computes multiplier total/side and probability side/total", () => {
    const odds = computeOdds({ yesTotal: 300, noTotal: 100 });
    expect(odds.totalPool).toBe(400);
    expect(odds.yes).toEqual({ stake: 300, multiplier: 400 / 300, impliedProbability: 0.75, empty: false });
    expect(odds.no).toEqual({ stake: 100, multiplier: 4, impliedProbability: 0.25, empty: false });
  });

  it("handles an empty pool without Infinity or NaN", () => {
    expect(computeOdds({ yesTotal: 0, noTotal: 0 })).toEqual({
      totalPool: 0,
      yes: { stake: 0, multiplier: null, impliedProbability: null, empty: true },
      no: { stake: 0, multiplier: null, impliedProbability: null, empty: true },
    });
  });

  it("handles one empty side", () => {
    const odds = computeOdds({ yesTotal: 500, noTotal: 0 });
    expect(odds.yes).toEqual({ stake: 500, multiplier: 1, impliedProbability: 1, empty: false });
    expect(odds.no).toEqual({ stake: 0, multiplier: null, impliedProbability: 0, empty: true });
  });

  it("validates its arguments with a RangeError naming the argument", () => {
    expect(() => computeOdds({ yesTotal: -1, noTotal: 0 })).toThrow(/yesTotal/);
    expect(() => computeOdds({ yesTotal: 0, noTotal: 1.5 })).toThrow(/noTotal/);
    expect(() => computeOdds({ yesTotal: Number.NaN, noTotal: 0 })).toThrow(RangeError);
    expect(() => computeOdds({ yesTotal: 0, noTotal: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => computeOdds({ yesTotal: "5" as unknown as number, noTotal: 0 })).toThrow(/yesTotal/);
    expect(() => computeOdds({ yesTotal: Number.MAX_SAFE_INTEGER, noTotal: 1 })).toThrow(RangeError);
  });

  it("never yields Infinity, NaN or an inconsistent empty flag", () => {
    const cents = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 }));
    fc.assert(
      fc.property(cents, cents, (yesTotal, noTotal) => {
        const odds = computeOdds({ yesTotal, noTotal });
        for (const side of [odds.yes, odds.no]) {
          expect(side.empty).toBe(side.stake === 0);
          expect(side.multiplier === null).toBe(side.empty);
          if (side.multiplier !== null) expect(Number.isFinite(side.multiplier) && side.multiplier >= 1).toBe(true);
          if (side.impliedProbability !== null) {
            expect(side.impliedProbability >= 0 && side.impliedProbability <= 1).toBe(true);
          }
        }
        expect(odds.yes.impliedProbability === null).toBe(odds.totalPool === 0);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("quoteBet", () => {
  it("quotes the first bet on an empty pool as even money", () => {
    expect(quoteBet({ yesTotal: 0, noTotal: 0 }, "yes", 1000)).toEqual({
      multiplier: 1,
      potentialPayout: 1000,
      profit: 0,
      impliedProbability: 1,
    });
  });

  it("includes the bet itself in the pool", () => {
    // YES 100, NO 300; +100 on YES → side 200, total 500.
    expect(quoteBet({ yesTotal: 100, noTotal: 300 }, "yes", 100)).toEqual({
      multiplier: 2.5,
      potentialPayout: 250,
      profit: 150,
      impliedProbability: 0.4,
    });
  });

  it("floors the potential payout to whole cents", () => {
    // side 3, total 10: 1 * 10 / 3 = 3.33… → 3
    expect(quoteBet({ yesTotal: 2, noTotal: 7 }, "yes", 1).potentialPayout).toBe(3);
  });

  it("applies the rake like splitPool", () => {
    const quote = quoteBet({ yesTotal: 100, noTotal: 300 }, "no", 100, { rakeBps: 500 });
    // total 500, rake 25, distributable 475, side 400 → 100 * 475 / 400 = 118.75
    expect(quote.potentialPayout).toBe(118);
    expect(quote.profit).toBe(18);
    expect(quote.multiplier).toBeCloseTo(475 / 400, 12);
  });

  it("quotes a rake-free refund when nobody has bet against the side (as splitPool settles it)", () => {
    expect(quoteBet({ yesTotal: 400, noTotal: 0 }, "yes", 100, { rakeBps: 500 })).toEqual({
      multiplier: 1,
      potentialPayout: 100,
      profit: 0,
      impliedProbability: 1,
    });
  });

  it("validates side, amount and rake", () => {
    expect(() => quoteBet({ yesTotal: 0, noTotal: 0 }, "maybe" as BetSide, 1)).toThrow(/side/);
    expect(() => quoteBet({ yesTotal: 0, noTotal: 0 }, "yes", 0)).toThrow(/amount/);
    expect(() => quoteBet({ yesTotal: 0, noTotal: 0 }, "yes", 1.5)).toThrow(/amount/);
    expect(() => quoteBet({ yesTotal: -1, noTotal: 0 }, "yes", 1)).toThrow(/yesTotal/);
    expect(() => quoteBet({ yesTotal: 0, noTotal: 0 }, "yes", 1, { rakeBps: 10_001 })).toThrow(/rakeBps/);
    expect(() => quoteBet({ yesTotal: Number.MAX_SAFE_INTEGER - 1, noTotal: 0 }, "yes", 2)).toThrow(RangeError);
  });

  it("is exact for totals near 2^53", () => {
    const big = Number.MAX_SAFE_INTEGER - 3;
    const quote = quoteBet({ yesTotal: 1, noTotal: big - 1 }, "yes", 3);
    // side 4, total 2^53 - 1 → floor(3 * (2^53 - 1) / 4)
    expect(quote.potentialPayout).toBe(Number((3n * BigInt(Number.MAX_SAFE_INTEGER)) / 4n));
  });

  it("is what splitPool pays a lone new bet, give or take the 1-cent remainder", () => {
    const arb = fc.record({
      yesTotal: fc.integer({ min: 0, max: 1_000_000 }),
      noTotal: fc.integer({ min: 0, max: 1_000_000 }),
      side: fc.constantFrom<BetSide>("yes", "no"),
      amount: fc.integer({ min: 1, max: 1_000_000 }),
      rakeBps: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(arb, ({ yesTotal, noTotal, side, amount, rakeBps }) => {
        const quote = quoteBet({ yesTotal, noTotal }, side, amount, { rakeBps });
        const bets = [
          ...(yesTotal > 0 ? [{ id: "y", side: "yes" as const, amount: yesTotal, placedAt: 0 }] : []),
          ...(noTotal > 0 ? [{ id: "n", side: "no" as const, amount: noTotal, placedAt: 0 }] : []),
          { id: "me", side, amount, placedAt: 1 },
        ];
        const mine = splitPool({ bets, outcome: side, rakeBps }).payouts.find((p) => p.betId === "me");
        expect(mine!.amount - quote.potentialPayout).toBeGreaterThanOrEqual(0);
        expect(mine!.amount - quote.potentialPayout).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("formatMultiplier / formatPercent", () => {
  it("formats multipliers", () => {
    expect(formatMultiplier(2.3456)).toBe("2.35×");
    expect(formatMultiplier(1)).toBe("1.00×");
    expect(formatMultiplier(4, 1)).toBe("4.0×");
    expect(formatMultiplier(null)).toBe("—");
    expect(formatMultiplier(Number.POSITIVE_INFINITY)).toBe("—");
    expect(formatMultiplier(Number.NaN)).toBe("—");
  });

  it("formats probabilities as percents", () => {
    expect(formatPercent(0.4567)).toBe("45.7%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(0.25, 0)).toBe("25%");
    expect(formatPercent(0)).toBe("0.0%");
    expect(formatPercent(-0.00001)).toBe("0.0%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
  });

  it("formats what computeOdds returns for empty sides", () => {
    const { yes, no } = computeOdds({ yesTotal: 0, noTotal: 0 });
    expect([formatMultiplier(yes.multiplier), formatPercent(no.impliedProbability)]).toEqual(["—", "—"]);
  });
});
