import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { largestRemainderSplit } from "./allocate";

const cents = fc.bigInt({ min: 0n, max: 2n ** 53n - 1n });
const weights = fc.array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n }), fc.bigInt({ min: 1n, max: 2n ** 53n - 1n })), {
  minLength: 1,
  maxLength: 30,
});
/** A random split with what it was computed from: each weight's floor quota and remainder. */
const splits = fc
  .tuple(cents, weights)
  .filter(([, ws]) => ws.some((w) => w > 0n))
  .map(([total, ws]) => {
    const sum = ws.reduce((s, w) => s + w, 0n);
    return {
      total,
      ws,
      shares: largestRemainderSplit(total, ws),
      floor: ws.map((w) => (total * w) / sum),
      rem: ws.map((w) => (total * w) % sum),
    };
  });

describe("largestRemainderSplit", () => {
  it("gives leftover cents to the largest remainders, equal remainders to the earlier index", () => {
    expect(largestRemainderSplit(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    // Remainders 3, 6, 2, 3 (of 7): the two leftover cents go to index 1, then index 0 over index 3.
    expect(largestRemainderSplit(10n, [1n, 2n, 3n, 1n])).toEqual([2n, 3n, 4n, 1n]);
    expect(largestRemainderSplit(0n, [5n, 7n])).toEqual([0n, 0n]);
    expect(largestRemainderSplit(0n, [0n, 0n])).toEqual([0n, 0n]);
  });

  it("refuses negative amounts and a positive total over zero weights", () => {
    expect(() => largestRemainderSplit(-1n, [1n])).toThrow(RangeError);
    expect(() => largestRemainderSplit(5n, [1n, -1n])).toThrow("weights[1]");
    expect(() => largestRemainderSplit(5n, [0n, 0n])).toThrow("zero weights");
  });

  it("is exact: shares sum to the total, each the floor of its quota or one more, zero weights get nothing", () => {
    fc.assert(
      fc.property(splits, ({ total, ws, shares, floor }) => {
        expect(shares.reduce((s, x) => s + x, 0n)).toBe(total);
        shares.forEach((share, i) => {
          expect(share === floor[i] || share === floor[i]! + 1n).toBe(true);
          if (ws[i] === 0n) expect(share).toBe(0n);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("ranks by remainder, then index: no cent goes to a smaller remainder, or an equal one later in line", () => {
    fc.assert(
      fc.property(splits, ({ ws, shares, floor, rem }) => {
        const bumped = shares.map((s, i) => s > floor[i]!);
        for (let i = 0; i < ws.length; i++) {
          for (let j = 0; j < ws.length; j++) {
            if (!bumped[i] || bumped[j]) continue;
            // i got an extra cent and j did not: i must rank ahead of j.
            expect(rem[i]! > rem[j]! || (rem[i] === rem[j] && i < j)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
