// Live updates for the betting market, sent after the change has committed (never from inside
// a domain transaction). Best effort: clients re-read state when they reconnect.
import { live } from "../realtime/emit";
import { db } from "../lib/db";
import { poolUpdateMessage, toPoolUpdateMessage } from "../domain/betting/pools";
import type { PlacedBet } from "../domain/betting/place-bet";
import type { SettleResult } from "../domain/betting/settle-pool";

export async function publishPoolUpdateById(poolId: string): Promise<void> {
  const msg = await poolUpdateMessage(db, poolId);
  live.runAndArena(msg.runId, "pool:update", msg);
}

/** pool:update for a run's pool (after a progress lock, for instance); nothing if it has no pool. */
export async function publishPoolUpdate(runId: string): Promise<void> {
  const pool = await db.pool.findUnique({ where: { runId }, select: { id: true } });
  if (pool) await publishPoolUpdateById(pool.id);
}

/**
 * A bet placed: the pool's new totals (only the latest of a burst is sent), the bet itself
 * (gathered with its neighbours into one bets:placed) and the bettor's balance.
 */
export function publishBetPlaced(bet: PlacedBet): void {
  live.latest(`pool:${bet.runId}`, () =>
    live.runAndArena(
      bet.runId,
      "pool:update",
      toPoolUpdateMessage({ id: bet.poolId, runId: bet.runId, ...bet.pool, status: "open", outcome: null, lockReason: null }),
    ),
  );
  live.gather(
    `bets:${bet.runId}`,
    {
      runId: bet.runId,
      poolId: bet.poolId,
      betId: bet.betId,
      side: bet.side,
      amount: bet.amount,
      userId: bet.userId,
      userName: bet.userName,
      createdAt: bet.createdAt.toISOString(),
    },
    (bets) => live.run(bet.runId, "bets:placed", { runId: bet.runId, bets }),
  );
  live.user(bet.userId, "balance:update", { balance: bet.balance, reason: "bet" });
}

export async function publishSettlement(result: SettleResult): Promise<void> {
  if (result.state !== "settled" && result.state !== "refunded") return;
  await publishPoolUpdateById(result.poolId);
  const reason = result.state === "settled" ? "payout" : "refund";
  for (const { userId, balance } of result.balances) live.user(userId, "balance:update", { balance, reason });
}
