// The set-based half of settlement: one statement computes every bet's payout with window
// functions and writes the transfers, entries, bets and balances from that one result.
// Exactly shared/payout.ts `splitPool` (payout-sql.test.ts compares them on random pools):
//   base_i = div(D * s_i, W), rem_i = mod(D * s_i, W)  — NUMERIC: D * s_i overflows BIGINT;
//   the L = D - sum(base) leftover cents go to the winners ranked by rem DESC, then earliest
//   bet ("createdAt" is timestamp(3), i.e. already the milliseconds splitPool compares), then
//   id in byte order (COLLATE "C", like JavaScript's code-unit comparison).
import type { Prisma } from "../../lib/db";
import type { BetSide } from "../../generated/prisma/enums";
import { HOUSE_RAKE } from "../ledger";

/**
 * Locks every account settlement touches in key order (house:… < pool:… < user:…), the order
 * ledger.transfer uses, so concurrent settlements and transfers cannot deadlock.
 */
export async function lockSettlementAccounts(
  tx: Prisma.TransactionClient,
  input: { poolId: string; escrowId: string; withRake: boolean },
): Promise<void> {
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM (
      SELECT a.id FROM ledger_accounts a
       WHERE a.id = ${input.escrowId}
          OR (${input.withRake} AND a.key = ${HOUSE_RAKE})
          OR a."userId" IN (SELECT DISTINCT b."userId" FROM bets b WHERE b."poolId" = ${input.poolId})
       ORDER BY a.key
         FOR UPDATE
    ) locked`;
}

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

export async function writePayouts(
  tx: Prisma.TransactionClient,
  input: PayoutInput,
): Promise<{ total: bigint; balances: { userId: string; balance: number }[] }> {
  const { poolId, escrowId, mode, outcome } = input;
  const refund = mode === "refund";
  const D = input.distributable.toString();
  // W is only a divisor when paying winners, and then it is > 0; 1 keeps the refund path from dividing by zero.
  const W = (refund ? 1n : input.winningStake).toString();
  const rows = await tx.$queryRaw<{ userId: string | null; balance: bigint | null; total: bigint }[]>`
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
    ), credited AS (
      UPDATE ledger_accounts a SET balance = a.balance + t.sum
        FROM (SELECT "accountId", sum(payout)::bigint AS sum FROM shares GROUP BY "accountId" HAVING sum(payout) > 0) t
       WHERE a.id = t."accountId"
      RETURNING a."userId", a.balance
    )
    SELECT c."userId", c.balance, (SELECT coalesce(sum(payout), 0)::bigint FROM shares) AS total
      FROM (SELECT 1) one LEFT JOIN credited c ON true`;
  return {
    total: rows[0]?.total ?? 0n,
    balances: rows.filter((r) => r.userId !== null).map((r) => ({ userId: r.userId!, balance: Number(r.balance) })),
  };
}
