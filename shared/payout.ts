/**
 * Parimutuel settlement split — the REFERENCE for the server's set-based SQL
 * settlement. The SQL must produce exactly these numbers; payout.test.ts pins them.
 *
 * Input: bets { id, side, amount, placedAt }, outcome ("yes" | "no"), rakeBps (0..10000).
 * All amounts are integer cents; every product below is exact (BigInt here,
 * NUMERIC in SQL: D * stake reaches ~2^106, which overflows BIGINT).
 *
 *   T = sum(amount) over all bets            (must be <= 2^53 - 1)
 *   W = sum(amount) over bets on `outcome`
 *
 * 1. If T = 0, W = 0 or W = T → kind "refunded": every bet is paid exactly its
 *    amount, rake = 0. W = T means nobody bet against the winners: there is no
 *    losing stake to win, so taking a rake would only charge them for betting
 *    (product decision). (A canceled run uses refundAll, which is the same thing.)
 * 2. Otherwise → kind "paid":
 *      rake = floor(T * rakeBps / 10000)
 *      D    = T - rake                                   (distributable)
 *    for each winning bet i (side = outcome), with stake s_i:
 *      base_i = floor(D * s_i / W)
 *      rem_i  = (D * s_i) mod W                          (exact fractional part, scaled by W)
 *      L      = D - sum(base_i)                          (leftover cents, 0 <= L < #winners)
 *    Rank winners by rem_i DESC, then placedAt ASC, then id ASC (plain code-unit
 *    / byte order, i.e. COLLATE "C" — not locale order). The first L in that
 *    ranking get base_i + 1, the rest base_i. Only bets with rem_i > 0 can be
 *    in the first L, because L = sum(rem_i) / W.
 *    Losing bets are paid 0.
 * 3. Invariant: sum(payouts) + rake = T, exactly. With rakeBps = 0 every winner
 *    gets at least its stake (D = T >= W).
 *
 * Output: `payouts` contains EVERY bet exactly once — losers with amount 0 — so
 * the caller can write one payout row per (pool, bet) and mark every bet
 * settled. Order is canonical (placedAt ASC, id ASC), so the result does not
 * depend on input order.
 *
 * SQL sketch (Postgres; :d, :w, :l computed first, all NUMERIC):
 *   SELECT id, div(:d * amount, :w) + CASE WHEN row_number() OVER (
 *            ORDER BY mod(:d * amount, :w) DESC, placed_at ASC, id COLLATE "C" ASC) <= :l
 *          THEN 1 ELSE 0 END AS payout
 *   FROM bets WHERE pool_id = :pool AND side = :outcome;
 * Use div()/mod() (or floor()), never "/" on NUMERIC, which rounds. placed_at
 * must be the same value the server passes as placedAt here: if placedAt is
 * createdAt in ms, order by date_trunc('milliseconds', "createdAt") in SQL.
 */
import { assertCents, assertRakeBps, assertSide, rakeCents, type BetSide } from "./odds";
import { largestRemainderSplit } from "./allocate";

export interface PoolBet {
  id: string;
  side: BetSide;
  amount: number;
  /** Milliseconds or a sequence number; earlier wins remainder ties. */
  placedAt: number;
}

export interface BetPayout {
  betId: string;
  amount: number;
}

export interface PoolSplit {
  kind: "paid" | "refunded";
  rake: number;
  /** Every bet exactly once, losers with 0, ordered by placedAt then id. */
  payouts: BetPayout[];
}

export interface SplitPoolInput {
  bets: readonly PoolBet[];
  outcome: BetSide;
  rakeBps: number;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPlacement(a: PoolBet, b: PoolBet): number {
  return a.placedAt - b.placedAt || compareIds(a.id, b.id);
}

/** Validates bets and returns a copy in canonical order (placedAt, id), plus the pool total. */
function canonicalBets(bets: readonly PoolBet[]): { ordered: PoolBet[]; total: bigint } {
  // Checked through an `unknown` copy: Array.isArray(bets) would narrow a readonly array to any[].
  const input: unknown = bets;
  if (!Array.isArray(input)) throw new RangeError("bets must be an array");
  const seen = new Set<string>();
  let total = 0n;
  for (const [index, bet] of bets.entries()) {
    if (typeof bet !== "object" || bet === null) throw new RangeError(`bets[${index}] must be an object`);
    if (typeof bet.id !== "string" || bet.id === "") {
      throw new RangeError(`bets[${index}].id must be a non-empty string`);
    }
    if (seen.has(bet.id)) throw new RangeError(`bets[${index}].id "${bet.id}" is duplicated`);
    seen.add(bet.id);
    assertSide(`bets[${index}].side`, bet.side);
    assertCents(`bets[${index}].amount`, bet.amount, { positive: true });
    if (typeof bet.placedAt !== "number" || !Number.isFinite(bet.placedAt)) {
      throw new RangeError(`bets[${index}].placedAt must be a finite number, got ${String(bet.placedAt)}`);
    }
    total += BigInt(bet.amount);
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError("bets: pool total exceeds the safe integer range (2^53 - 1 cents)");
  }
  return { ordered: [...bets].sort(byPlacement), total };
}

function refundOrdered(ordered: readonly PoolBet[]): PoolSplit {
  return { kind: "refunded", rake: 0, payouts: ordered.map((bet) => ({ betId: bet.id, amount: bet.amount })) };
}

/** Every bet gets exactly its amount back, rake 0 (canceled run, or no stake on one of the sides). */
export function refundAll(bets: readonly PoolBet[]): PoolSplit {
  return refundOrdered(canonicalBets(bets).ordered);
}

export function splitPool({ bets, outcome, rakeBps }: SplitPoolInput): PoolSplit {
  assertSide("outcome", outcome);
  assertRakeBps(rakeBps);
  const { ordered, total } = canonicalBets(bets);

  const winners = ordered.filter((bet) => bet.side === outcome);
  const winningStake = winners.reduce((sum, bet) => sum + BigInt(bet.amount), 0n);
  // No winners, or no losers: nothing was won, so everyone gets their stake back, rake-free.
  if (total === 0n || winningStake === 0n || winningStake === total) return refundOrdered(ordered);

  const rake = rakeCents(total, rakeBps);
  const distributable = total - rake;

  // `winners` is in (placedAt, id) order, so equal remainders go to the earliest bet.
  const shares = largestRemainderSplit(
    distributable,
    winners.map((bet) => BigInt(bet.amount)),
  );
  const paid = new Map(winners.map((bet, i) => [bet.id, shares[i]!]));

  return {
    kind: "paid",
    rake: Number(rake),
    payouts: ordered.map((bet) => ({ betId: bet.id, amount: Number(paid.get(bet.id) ?? 0n) })),
  };
}
