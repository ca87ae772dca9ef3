// The set-based statements of settlement (settle-pool.ts runs them in one transaction).
//
// writePayouts computes every bet's payout in one statement with window functions, exactly as
// shared/payout.ts `splitPool` does (payout-sql.test.ts compares them on random pools):
//   base_i = div(D * s_i, W), rem_i = mod(D * s_i, W)  — NUMERIC: D * s_i overflows BIGINT;
//   the L = D - sum(base) leftover cents go to the winners ranked by rem DESC, then earliest
//   bet ("createdAt" is timestamp(3), i.e. already the milliseconds splitPool compares), then
//   id in byte order (COLLATE "C", like JavaScript's code-unit comparison);
// and in the same statement writes bets.payout, the pool's settlement transfer and the escrow.
//
// A pool's settlement is ONE multi-leg transfer (`payout_<poolId>` / `refund_<poolId>`, unique
// idempotency key `payout:<poolId>` / `refund:<poolId>`): one debit of the escrow for the total
// paid, and one credit per paid bet on its bettor's account carrying the bet's id ("betId",
// unique per transfer). One entry per paid bet, rather than a transfer and two entries, is what
// keeps a 100,000-bet settlement within its budget (bench:settle): every entry row costs two
// foreign-key checks and three index insertions.
//
// Bettors' balances are credited last (lockSettlementAccounts, then creditBettors, from the
// per-account sums writePayouts returns), so their account rows are write-locked only for the
// end of the transaction: a large settlement does not hold up its bettors' bets on other runs
// for its whole duration.
import { Prisma } from "../../lib/db";
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
  /** The settlement transfer's memo. */
  memo: string;
}

/** What one bettor account is owed by a settlement: the sum of its credit entries. */
export interface AccountCredit {
  accountId: string;
  cents: bigint;
}

export interface PayoutResult {
  /** Cents moved out of the escrow. */
  total: bigint;
  /** Per bettor account, what creditBettors must add to its cached balance. */
  credits: AccountCredit[];
}

// The transaction's start in UTC (the timestamp(3) columns hold UTC).
const NOW_UTC = Prisma.sql`now() AT TIME ZONE 'UTC'`;

/**
 * Writes every bet's payout and the pool's settlement transfer (escrow → each paid bet's
 * bettor; no transfer when nothing is paid) and debits the escrow. Bettors' cached balances
 * are left to creditBettors.
 */
export async function writePayouts(tx: Prisma.TransactionClient, input: PayoutInput): Promise<PayoutResult> {
  const { poolId, escrowId, mode, outcome } = input;
  const transferId = `${mode}_${poolId}`;
  // W is a divisor only when paying winners, and then it is > 0 (no winning stake is a refund).
  const [D, W] = [input.distributable.toString(), input.winningStake.toString()];
  // `paid`: each refunded or winning bet's (id, userId, payout), as RETURNED by the UPDATE that
  // stores the payout, so no bet row is looked up again to write its entry.
  const paid =
    mode === "refund"
      ? Prisma.sql`
    paid AS (
      UPDATE bets b SET payout = b.amount, "settledAt" = ${NOW_UTC}
       WHERE b."poolId" = ${poolId}
      RETURNING b.id, b."userId", b.payout
    )`
      : Prisma.sql`
    winners AS MATERIALIZED (
      SELECT b.id, div(${D}::numeric * b.amount, ${W}::numeric) AS base,
             row_number() OVER (ORDER BY mod(${D}::numeric * b.amount, ${W}::numeric) DESC, b."createdAt", b.id COLLATE "C") AS rank
        FROM bets b
       WHERE b."poolId" = ${poolId} AND b.side = ${outcome}::"BetSide"
    ), leftover AS (
      SELECT ${D}::numeric - coalesce(sum(base), 0) AS cents FROM winners
    ), losers AS (
      UPDATE bets b SET payout = 0, "settledAt" = ${NOW_UTC}
       WHERE b."poolId" = ${poolId} AND b.side <> ${outcome}::"BetSide"
    ), paid AS (
      UPDATE bets b SET payout = (w.base + CASE WHEN w.rank <= (SELECT cents FROM leftover) THEN 1 ELSE 0 END)::bigint,
                        "settledAt" = ${NOW_UTC}
        FROM winners w
       WHERE b."poolId" = ${poolId} AND b.id = w.id
      RETURNING b.id, b."userId", b.payout
    )`;
  // A winner's payout can be 0 (a large rake): no entry for it. That filter is applied where
  // `credits` is used, not in it: filtered RETURNING rows make the planner expect a handful and
  // look each bettor's account up by index, 100,000 times.
  const rows = await tx.$queryRaw<{ accountId: string; cents: bigint }[]>`
    /* settle:payouts */
    WITH ${paid},
    credits AS MATERIALIZED (
      SELECT p.id, a.id AS "accountId", p.payout FROM paid p JOIN ledger_accounts a ON a."userId" = p."userId"
    ), total AS MATERIALIZED (
      SELECT coalesce(sum(payout), 0)::bigint AS cents FROM credits
    ), transfer AS (
      INSERT INTO ledger_transfers (id, kind, "idempotencyKey", memo, "createdAt")
      SELECT ${transferId}, ${mode}::"TransferKind", ${`${mode}:${poolId}`}, ${input.memo}, ${NOW_UTC}
        FROM total WHERE cents > 0
    ), entries AS (
      INSERT INTO ledger_entries ("transferId", "accountId", amount, "betId", "createdAt")
      SELECT ${transferId}, ${escrowId}, -cents, NULL, ${NOW_UTC} FROM total WHERE cents > 0
      UNION ALL
      SELECT ${transferId}, c."accountId", c.payout, c.id, ${NOW_UTC} FROM credits c WHERE c.payout > 0
    ), escrow AS (
      UPDATE ledger_accounts SET balance = balance - (SELECT cents FROM total) WHERE id = ${escrowId}
    )
    SELECT "accountId", sum(payout)::bigint AS cents FROM credits WHERE payout > 0 GROUP BY "accountId"`;
  return { total: rows.reduce((sum, r) => sum + r.cents, 0n), credits: rows };
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
  input: { credits: AccountCredit[]; withRake: boolean },
): Promise<void> {
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM (
      SELECT a.id FROM ledger_accounts a
       WHERE (${input.withRake} AND a.key = ${HOUSE_RAKE}) OR a.id = ANY(${input.credits.map((c) => c.accountId)}::text[])
       ORDER BY a.key
         FOR NO KEY UPDATE
    ) locked`;
}

/** Adds each bettor's payouts from this settlement to their cached balance, in one UPDATE. */
export async function creditBettors(
  tx: Prisma.TransactionClient,
  credits: AccountCredit[],
): Promise<{ userId: string; balance: number }[]> {
  if (credits.length === 0) return [];
  const rows = await tx.$queryRaw<{ userId: string; balance: bigint }[]>`
    UPDATE ledger_accounts a SET balance = a.balance + c.cents
      FROM unnest(${credits.map((c) => c.accountId)}::text[], ${credits.map((c) => c.cents.toString())}::bigint[]) AS c(id, cents)
     WHERE a.id = c.id
    RETURNING a."userId", a.balance`;
  return rows.map((r) => ({ userId: r.userId, balance: Number(r.balance) }));
}

/**
 * Moves the house rake from the escrow to house:rake (key rake:<poolId>) in one statement.
 * Written here rather than with ledger.transfer: the amount is the settlement's bigint, the
 * accounts are already locked in order by lockSettlementAccounts, and the pool's escrow needs
 * no balance-floor check (settlePool verifies it ends at zero).
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
