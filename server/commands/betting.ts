// The commands of the betting market: the domain's transaction, then its live messages. The
// router's placeBet, and the betting jobs' lock, settlement and sweep (server/jobs/betting/).
import * as betting from "../domain/betting";
import { publishBetPlaced, publishPoolUpdateById, publishSettlement } from "./pool-effects";
import { AppError } from "../lib/errors";
import { db } from "../lib/db";
import { pgPool } from "../lib/pg";
import { logger } from "../lib/logger";
import { assertNotOverdrawn } from "../domain/billing/plans";

export async function placeBet(input: betting.PlaceBetInput): Promise<betting.PlacedBet> {
  const bet = await betting.placeBet(pgPool(), input).catch(async (e: unknown) => {
    // A balance below zero after a Stripe refund or dispute refuses every bet (the statement's
    // balance check); say why, rather than "insufficient funds". Read only on a refusal: bets stay one statement.
    if (e instanceof AppError && e.code === "INSUFFICIENT_FUNDS") await assertNotOverdrawn(db, input.userId, "amount");
    throw e;
  });
  publishBetPlaced(bet);
  return bet;
}

/** The time lock of a run's pool (its delayed job is due): locked, and the pool's watchers told. */
export async function lockPoolOnTime(runId: string): Promise<betting.LockResult> {
  const result = await betting.lockPool(db, { runId, reason: "time" });
  if (result.locked && result.poolId) await publishPoolUpdateById(result.poolId);
  return result;
}

/** Settles a pool whose run ended (exactly once however often called), then tells bettors their balances. */
export async function settlePool(poolId: string): Promise<betting.SettleResult> {
  const result = await betting.settlePool(db, poolId);
  await publishSettlement(result);
  return result;
}

/**
 * The backstop: settles pools of finished runs that are still open or locked (a lost settle job,
 * a crash between a run's end and the enqueue), and applies time locks whose delayed job did not
 * fire. Settling here directly, rather than enqueueing settle-<poolId>, avoids BullMQ ignoring a
 * job id it still remembers as completed.
 */
export async function sweepPools(): Promise<{ settled: number; timeLocked: number; failed: number }> {
  let timeLocked = 0;
  for (const pool of await betting.poolsPastTimeLock(db, { limit: 500 })) {
    const result = await betting.lockPool(db, { runId: pool.runId, reason: "time" });
    if (result.locked) {
      timeLocked += 1;
      await publishPoolUpdateById(pool.id).catch(() => {});
    }
  }
  let settled = 0;
  let failed = 0;
  for (const { id } of await betting.unsettledPoolsOfEndedRuns(db, { limit: 100 })) {
    try {
      const result = await betting.settlePool(db, id);
      if (result.state === "settled" || result.state === "refunded") settled += 1;
      await publishSettlement(result).catch(() => {});
    } catch (err) {
      // One broken pool must not stop the others; it stays locked and is retried next sweep.
      failed += 1;
      logger.error({ err, poolId: id }, "settling pool failed");
    }
  }
  return { settled, timeLocked, failed };
}
