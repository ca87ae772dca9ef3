// The set-based statements of settlement (settle-pool.ts runs them in one transaction).
//
// writePayouts computes every bet's payout in one statement with window functions, exactly as
// shared/payout.ts `splitPool` does (payout-sql.test.ts compares them on random pools):
//   base_i = div(D * s_i, W), rem_i = mod(D * s_i, W)  — NUMERIC: D * s_i overflows BIGINT;
//   the L = D - sum(base) leftover cents go to the winners ranked by rem DESC, then earliest
//   bet ("createdAt" is timestamp(3), i.e. already the milliseconds splitPool compares), then
//   id in byte order (COLLATE "C", like JavaScript's code-unit comparison);
// and from that one result writes the transfers, their entries, bets.payout and the escrow.
//
// Bettors' balances are credited last (creditBettors), so their account rows are write-locked
// only for the end of the transaction: a large settlement does not hold up its bettors' bets
// on other runs for its whole duration.
import type { Prisma } from "../../lib/db";
import type { BetSide } from "../../generated/prisma/enums";
import { HOUSE_RAKE } from "../ledger";

export interface PayoutInput {
  poolId: string;
  escrowId: string;
  /** refund: every bet gets its amount back; payout: winners split `distributable`. */
  mode: "payout" | "refund";
  outcome: BetSide | null;
  /** D: pool total minus rake. */
  distributable: bigint;
  /** W: total stake on the winning side. */
  winningStake: bigint;
}

/** Writes every bet's payout and its transfer (escrow → bettor); returns the cents paid out. */
export async function writePayouts(tx: Prisma.TransactionClient, input: PayoutInput): Promise<bigint> {
  const { poolId, escrowId, mode, outcome } = input;
  const refund = mode === "refund";
  const D = input.distributable.toString();
  // W is only a divisor when paying winners, and then it is > 0; 1 keeps the refund path from dividing by zero.
  const W = (refund ? 1n : input.winningStake).toString();
  const [row] = await tx.$queryRaw<{ total: bigint }[]>`
    /* settle:payouts */
    WITH winners AS MATERIALIZED (
      SELECT b.id, div(${D}::numeric * b.amount, ${W}::numeric) AS base,
             row_number() OVER (ORDER BY mod(${D}::numeric * b.amount, ${W}::numeric) DESC, b."createdAt", b.id COLLATE "C") AS rank
        FROM bets b
       WHERE b."poolId" = ${poolId} AND NOT ${refund} AND b.side = ${outcome}::"BetSide"
    ), leftover AS (
      SELECT ${D}::numeric - coalesce(sum(base), 0) AS cents FROM winners
    ), shares AS MATERIALIZED (
      SELECT b.id, a.id AS "accountId",
             (CASE WHEN ${refund} THEN b.amount
                   ELSE coalesce(w.base + CASE WHEN w.rank <= (SELECT cents FROM leftover) THEN 1 ELSE 0 END, 0)
              END)::bigint AS payout
        FROM bets b
        JOIN ledger_accounts a ON a."userId" = b."userId"
        LEFT JOIN winners w ON w.id = b.id
       WHERE b."poolId" = ${poolId}
    ), transfers AS (
      INSERT INTO ledger_transfers (id, kind, "idempotencyKey", memo, "createdAt")
      SELECT ${mode} || '_' || s.id, ${mode}::"TransferKind", ${mode} || ':' || s.id, ${`${mode} of bet`}, now() AT TIME ZONE 'UTC'
        FROM shares s WHERE s.payout > 0
    ), entries AS (
      INSERT INTO ledger_entries ("transferId", "accountId", amount, "createdAt")
      SELECT ${mode} || '_' || s.id, ${escrowId}, -s.payout, now() AT TIME ZONE 'UTC' FROM shares s WHERE s.payout > 0
      UNION ALL
      SELECT ${mode} || '_' || s.id, s."accountId", s.payout, now() AT TIME ZONE 'UTC' FROM shares s WHERE s.payout > 0
    ), paid_bets AS (
      UPDATE bets b SET payout = s.payout, "settledAt" = now() AT TIME ZONE 'UTC' FROM shares s WHERE b.id = s.id
    ), escrow AS (
      UPDATE ledger_accounts SET balance = balance - (SELECT coalesce(sum(payout), 0) FROM shares) WHERE id = ${escrowId}
    )
    SELECT coalesce(sum(payout), 0)::bigint AS total FROM shares`;
  return row?.total ?? 0n;
}

/**
 * Write-locks the accounts settlement still has to update (the house's when there is a rake,
 * and every paid bettor's) in key order (house:… < user:…, the order ledger.transfer uses), so
 * concurrent settlements and transfers cannot deadlock. FOR NO KEY UPDATE, like an UPDATE of
 * the balance: other transactions' foreign-key checks on these rows are not blocked. (The
 * escrow needs no place in this order: only its own pool's bets and settlement touch it, and
 * both lock the pool row first.)
 */
export async function lockSettlementAccounts(
  tx: Prisma.TransactionClient,
  input: { poolId: string; withRake: boolean },
): Promise<void> {
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM (
      SELECT a.id FROM ledger_accounts a
       WHERE (${input.withRake} AND a.key = ${HOUSE_RAKE})
          OR a."userId" IN (SELECT b."userId" FROM bets b WHERE b."poolId" = ${input.poolId} AND b.payout > 0)
       ORDER BY a.key
         FOR NO KEY UPDATE
    ) locked`;
}

/** Adds each bettor's payouts from this pool to their cached balance, one UPDATE per bettor set. */
export async function creditBettors(tx: Prisma.TransactionClient, poolId: string): Promise<{ userId: string; balance: number }[]> {
  const rows = await tx.$queryRaw<{ userId: string; balance: bigint }[]>`
    UPDATE ledger_accounts a SET balance = a.balance + t.sum
      FROM (SELECT b."userId", sum(b.payout)::bigint AS sum FROM bets b
             WHERE b."poolId" = ${poolId} AND b.payout > 0 GROUP BY b."userId") t
     WHERE a."userId" = t."userId"
    RETURNING a."userId", a.balance`;
  return rows.map((r) => ({ userId: r.userId, balance: Number(r.balance) }));
}

/**
 * Moves the house rake from the escrow to house:rake (key rake:<poolId>). Written here rather
 * than with ledger.transfer, whose balance statement types its amount parameter as int4 and
 * so refuses rakes above 2^31 - 1 cents.
 */
export async function writeRake(tx: Prisma.TransactionClient, input: { poolId: string; escrowId: string; rake: bigint; memo: string }) {
  await tx.$executeRaw`
    WITH house AS (
      UPDATE ledger_accounts SET balance = balance + ${input.rake}::bigint WHERE key = ${HOUSE_RAKE} RETURNING id
    ), escrow AS (
      UPDATE ledger_accounts SET balance = balance - ${input.rake}::bigint WHERE id = ${input.escrowId}
    ), transfer AS (
      INSERT INTO ledger_transfers (id, kind, "idempotencyKey", memo, "createdAt")
      VALUES (${`rake_${input.poolId}`}, 'rake', ${`rake:${input.poolId}`}, ${input.memo}, now() AT TIME ZONE 'UTC')
    )
    INSERT INTO ledger_entries ("transferId", "accountId", amount, "createdAt")
    SELECT ${`rake_${input.poolId}`}, ${input.escrowId}, -${input.rake}::bigint, now() AT TIME ZONE 'UTC'
    UNION ALL
    SELECT ${`rake_${input.poolId}`}, house.id, ${input.rake}::bigint, now() AT TIME ZONE 'UTC' FROM house`;
}
