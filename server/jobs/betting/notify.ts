// Live updates for the betting market, sent after the change has committed (never from inside
// a domain transaction). Best effort: clients re-read state when they reconnect.
import { live } from "../../realtime/emit";
import { db } from "../../lib/db";
import { poolUpdateMessage } from "../../domain/betting/pools";
import type { SettleResult } from "../../domain/betting/settle-pool";

export async function publishPoolUpdateById(poolId: string): Promise<void> {
  const msg = await poolUpdateMessage(db, poolId);
  live.sandboxAndArena(msg.sandboxId, "pool:update", msg);
}

/** pool:update for a run's pool (after a progress lock, for instance); nothing if it has no pool. */
export async function publishPoolUpdate(sandboxId: string): Promise<void> {
  const pool = await db.pool.findUnique({ where: { sandboxId }, select: { id: true } });
  if (pool) await publishPoolUpdateById(pool.id);
}

export async function publishSettlement(result: SettleResult): Promise<void> {
  if (result.state !== "settled" && result.state !== "refunded") return;
  await publishPoolUpdateById(result.poolId);
  const reason = result.state === "settled" ? "payout" : "refund";
  for (const { userId, balance } of result.balances) live.user(userId, "balance:update", { balance, reason });
}
