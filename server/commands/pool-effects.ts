// What follows a change to the betting market once it has committed: live updates (never sent from
// inside a domain transaction; best effort, clients re-read state when they reconnect) and the
// betting jobs a run's lifecycle schedules (server/commands/run-effects.ts calls these).
import { live } from "../realtime/emit";
import { db } from "../lib/db";
import { lockPool, poolUpdateMessage, setPoolLocksAt, toPoolUpdateMessage } from "../domain/betting/pools";
import type { PlacedBet } from "../domain/betting/place-bet-sql";
import type { SettleResult } from "../domain/betting/settle-pool";
import { enqueue } from "../jobs/queues";
import { lockJobId, lockPoolJobSpec, settleJobId, settlePoolJobSpec } from "../jobs/betting/specs";

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

/** After a run's terminal transition commits: lock its pool (reason "ended") and enqueue settlement. */
export async function afterRunTerminal(runId: string): Promise<void> {
  const result = await lockPool(db, { runId, reason: "ended" });
  if (!result.poolId) return;
  if (result.locked) await publishPoolUpdateById(result.poolId).catch(() => {});
  await enqueue(settlePoolJobSpec, { poolId: result.poolId }, { jobId: settleJobId(result.poolId) });
}

/** When a run starts running: record when its pool locks (timeLockAt) and schedule that lock. */
export async function scheduleTimeLock(runId: string, locksAt: Date): Promise<void> {
  const poolId = await setPoolLocksAt(db, { runId, locksAt });
  if (!poolId) return;
  await enqueue(lockPoolJobSpec, { runId }, { jobId: lockJobId(poolId), delay: Math.max(0, locksAt.getTime() - Date.now()) });
}
