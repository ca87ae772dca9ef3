// settlePool: the one settlement path (settle job, sweep, tests). Exactly once, by construction:
//   - the whole settlement is ONE transaction: a crash or kill mid-way rolls everything back;
//   - it starts by locking the pool row and checking its state (open|locked → settled|refunded),
//     so a second or concurrent call waits, then sees the pool settled and does nothing;
//   - the pool's payouts (or refunds) are ONE transfer with the unique idempotency key
//     `payout:<poolId>` / `refund:<poolId>` (and the rake `rake:<poolId>`), so a second
//     settlement cannot be stored; its credit entries are unique per (transfer, bet), so no bet
//     is paid twice within it.
// The split is shared/payout.ts `splitPool`, computed set-based in SQL (payout-sql.ts).
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, type Prisma } from "../../lib/db";
import { config } from "../../config";
import type { BetSide, PoolStatus, RunStatus } from "../../generated/prisma/enums";
import { rakeCents } from "@shared/odds";
import { isTerminalRun } from "@shared/run-status";
import { outcomeForRun } from "./rules";
import { creditBettors, lockSettlementAccounts, writePayouts, writeRake } from "./payout-sql";

export interface SettleResult {
  poolId: string;
  runId: string;
  /** settled/refunded: this call settled it; already: an earlier call did; run_live: nothing to settle yet. */
  state: "settled" | "refunded" | "already" | "run_live";
  status: PoolStatus;
  outcome: BetSide | null;
  rake: number;
  betCount: number;
  /** Cents moved from the escrow to bettors by this call. */
  paidOut: number;
  /** New balances of every bettor this call paid (for balance:update). */
  balances: { userId: string; balance: number }[];
}

export interface SettleOptions {
  /** House rake in basis points; defaults to HOUSE_RAKE_BPS. */
  rakeBps?: number;
}

interface PoolRow {
  id: string;
  runId: string;
  status: PoolStatus;
  outcome: BetSide | null;
  rakeCents: bigint;
  ledgerAccountId: string;
  runStatus: RunStatus;
  runStartedAt: Date | null;
}

export async function settlePool(db: DbClient, poolId: string, opts: SettleOptions = {}): Promise<SettleResult> {
  const rakeBps = opts.rakeBps ?? config.HOUSE_RAKE_BPS;
  // Settling 100,000 bets takes seconds (bench:settle); the default 5 s interactive timeout is too tight.
  return inTransaction(db, (tx) => settleInTransaction(tx, poolId, rakeBps), { timeout: 120_000 });
}

async function settleInTransaction(tx: Prisma.TransactionClient, poolId: string, rakeBps: number): Promise<SettleResult> {
  // The payout statement sorts and re-reads every bet of the pool; keep that in memory, not temp files.
  await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
  const [pool] = await tx.$queryRaw<PoolRow[]>`
    SELECT p.id, p."runId", p.status, p.outcome, p."rakeCents", p."ledgerAccountId", s.status AS "runStatus",
           s."startedAt" AS "runStartedAt"
      FROM pools p JOIN runs s ON s.id = p."runId"
     WHERE p.id = ${poolId}
       FOR NO KEY UPDATE OF p`;
  if (!pool) throw new AppError("NOT_FOUND", `pool ${poolId} does not exist`, { field: "poolId" });
  const unchanged = (state: SettleResult["state"]): SettleResult => ({
    poolId,
    runId: pool.runId,
    state,
    status: pool.status,
    outcome: pool.outcome,
    rake: Number(pool.rakeCents),
    betCount: 0,
    paidOut: 0,
    balances: [],
  });
  if (pool.status === "settled" || pool.status === "refunded") return unchanged("already");
  if (!isTerminalRun(pool.runStatus)) return unchanged("run_live");

  const outcome = outcomeForRun(pool.runStatus, pool.runStartedAt);
  const [sums] = await tx.$queryRaw<{ n: number; total: bigint; winning: bigint; escrow: bigint }[]>`
    SELECT count(*)::int AS n,
           coalesce(sum(b.amount), 0)::bigint AS total,
           coalesce(sum(b.amount) FILTER (WHERE b.side = ${outcome}::"BetSide"), 0)::bigint AS winning,
           (SELECT balance FROM ledger_accounts WHERE id = ${pool.ledgerAccountId}) AS escrow
      FROM bets b WHERE b."poolId" = ${poolId}`;
  const { n, total, winning, escrow } = sums!;
  if (escrow !== total) {
    // Never pay out of books that disagree: leave the pool locked for an operator to inspect.
    throw new AppError("INTERNAL", `pool ${poolId}: escrow holds ${escrow} cents but its bets total ${total}`);
  }

  // Same decision as splitPool: no winners, or nobody to win from, is a rake-free refund.
  const refund = outcome === null || winning === 0n || winning === total;
  const rake = refund ? 0n : rakeCents(total, rakeBps);
  const mode = refund ? "refund" : "payout";
  const { total: paidOut, credits } = await writePayouts(tx, {
    poolId,
    escrowId: pool.ledgerAccountId,
    mode,
    outcome,
    distributable: total - rake,
    winningStake: winning,
    memo: `${mode} on run ${pool.runId}`,
  });
  // Accounts shared with other runs are write-locked only from here to the commit.
  await lockSettlementAccounts(tx, { credits, withRake: rake > 0n });
  const balances = await creditBettors(tx, credits);
  if (rake > 0n) {
    await writeRake(tx, { poolId, escrowId: pool.ledgerAccountId, rake, memo: `house rake on run ${pool.runId}` });
  }

  const status: PoolStatus = refund ? "refunded" : "settled";
  const [after] = await tx.$queryRaw<{ escrow: bigint }[]>`
    WITH settled AS (
      UPDATE pools SET status = ${status}::"PoolStatus", outcome = ${outcome}::"BetSide", "rakeCents" = ${rake},
             "settledAt" = now() AT TIME ZONE 'UTC',
             "lockReason" = coalesce("lockReason", 'ended'), "lockedAt" = coalesce("lockedAt", now() AT TIME ZONE 'UTC')
       WHERE id = ${poolId}
    )
    SELECT balance AS escrow FROM ledger_accounts WHERE id = ${pool.ledgerAccountId}`;
  if (paidOut + rake !== total || after!.escrow !== 0n) {
    throw new AppError("INTERNAL", `pool ${poolId}: paid ${paidOut} + rake ${rake} does not add up to ${total}`);
  }
  return {
    poolId,
    runId: pool.runId,
    state: status,
    status,
    outcome,
    rake: Number(rake),
    betCount: n,
    paidOut: Number(paidOut),
    balances,
  };
}
