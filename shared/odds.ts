/**
 * Parimutuel odds for a run's YES/NO pool, used by the server (to record
 * odds at placement) and the client (to show live odds and quotes).
 *
 * multiplier         = pool total / side stake   (null when the side is empty)
 * impliedProbability = side stake / pool total   (null when the pool is empty)
 *
 * Multipliers and probabilities are display values (floats); money amounts
 * are integer cents computed with BigInt, never Infinity or NaN.
 */

export type BetSide = "yes" | "no";

export interface PoolTotals {
  yesTotal: number;
  noTotal: number;
}

export interface SideOdds {
  stake: number;
  multiplier: number | null;
  impliedProbability: number | null;
  empty: boolean;
}

export interface PoolOdds {
  totalPool: number;
  yes: SideOdds;
  no: SideOdds;
}

export interface BetQuote {
  /** Pool total (after rake, if any) / side stake, both including this bet. */
  multiplier: number;
  /** floor(amount * distributable / side) in cents; settlement may add at most 1 cent (largest remainder). */
  potentialPayout: number;
  /** potentialPayout - amount; negative when a rake exceeds the winnings. */
  profit: number;
  /** side / total including this bet. */
  impliedProbability: number;
}

export interface QuoteOptions {
  /** House rake in basis points (0..10000), as in splitPool. Default 0. */
  rakeBps?: number;
}

export function assertCents(name: string, value: unknown, { positive = false } = {}): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (positive ? 1 : 0)) {
    const rule = positive ? "a positive safe integer" : "a non-negative safe integer";
    throw new RangeError(`${name} must be ${rule} (cents), got ${String(value)}`);
  }
}

export function assertSide(name: string, value: unknown): asserts value is BetSide {
  if (value !== "yes" && value !== "no") {
    throw new RangeError(`${name} must be "yes" or "no", got ${String(value)}`);
  }
}

export function assertRakeBps(value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new RangeError(`rakeBps must be an integer from 0 to 10000, got ${String(value)}`);
  }
}

function assertTotals(totals: PoolTotals): void {
  if (typeof totals !== "object" || totals === null) {
    throw new RangeError("pool totals must be an object { yesTotal, noTotal }");
  }
  assertCents("yesTotal", totals.yesTotal);
  assertCents("noTotal", totals.noTotal);
  if (!Number.isSafeInteger(totals.yesTotal + totals.noTotal)) {
    throw new RangeError("yesTotal + noTotal exceeds the safe integer range");
  }
}

function sideOdds(stake: number, total: number): SideOdds {
  return {
    stake,
    multiplier: stake === 0 ? null : total / stake,
    impliedProbability: total === 0 ? null : stake / total,
    empty: stake === 0,
  };
}

export function computeOdds({ yesTotal, noTotal }: PoolTotals): PoolOdds {
  assertTotals({ yesTotal, noTotal });
  const totalPool = yesTotal + noTotal;
  return { totalPool, yes: sideOdds(yesTotal, totalPool), no: sideOdds(noTotal, totalPool) };
}

/** Rake in cents on a pool of `total` cents: floor(total * rakeBps / 10000). */
export function rakeCents(total: bigint, rakeBps: number): bigint {
  return (total * BigInt(rakeBps)) / 10_000n;
}

/**
 * What a bet of `amount` cents on `side` would get if placed now and the pool
 * then settled as it stands (computed on the pool including the bet). On an
 * empty side or empty pool the quote is exact: multiplier = (total + amount) / amount.
 */
export function quoteBet({ yesTotal, noTotal }: PoolTotals, side: BetSide, amount: number, { rakeBps = 0 }: QuoteOptions = {}): BetQuote {
  assertTotals({ yesTotal, noTotal });
  assertSide("side", side);
  assertCents("amount", amount, { positive: true });
  assertRakeBps(rakeBps);

  const newSide = BigInt(side === "yes" ? yesTotal : noTotal) + BigInt(amount);
  const newTotal = BigInt(yesTotal) + BigInt(noTotal) + BigInt(amount);
  if (newTotal > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError("amount would push the pool total past the safe integer range");
  }
  // As in splitPool: with no stake against this side, a win is a rake-free refund.
  const distributable = newSide === newTotal ? newTotal : newTotal - rakeCents(newTotal, rakeBps);
  const potentialPayout = Number((BigInt(amount) * distributable) / newSide);
  return {
    multiplier: Number(distributable) / Number(newSide),
    potentialPayout,
    profit: potentialPayout - amount,
    impliedProbability: Number(newSide) / Number(newTotal),
  };
}

/** "2.35×" (rounded to `digits` decimals); "—" for null or a non-finite value. */
export function formatMultiplier(multiplier: number | null, digits = 2): string {
  if (multiplier === null || !Number.isFinite(multiplier)) return "—";
  return `${multiplier.toFixed(digits)}×`;
}

/** 0.4567 → "45.7%" (a probability in 0..1, rounded to `digits` decimals); "—" for null or non-finite. */
export function formatPercent(probability: number | null, digits = 1): string {
  if (probability === null || !Number.isFinite(probability)) return "—";
  const text = (probability * 100).toFixed(digits);
  return `${/^-0(\.0*)?$/.test(text) ? text.slice(1) : text}%`;
}
