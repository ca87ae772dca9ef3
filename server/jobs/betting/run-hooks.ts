// The betting jobs a run's lifecycle schedules, called by the run's post-commit effects
// (server/commands/run-effects.ts, run-started.ts): the time lock when the run starts, the lock
// and settlement when it ends.
import { db } from "../../lib/db";
import { enqueue } from "../queues";
import { lockPool, setPoolLocksAt } from "../../domain/betting/pools";
import { lockPoolJob } from "./lock-pool.job";
import { settlePoolJob } from "./settle-pool.job";
import { publishPoolUpdateById } from "../../commands/pool-effects";

// BullMQ refuses custom job ids containing ":" (it is its key separator), so the business keys
// settle:<poolId> / lock:<poolId> are spelled with "-".
export const settleJobId = (poolId: string) => `settle-${poolId}`;
export const lockJobId = (poolId: string) => `lock-${poolId}`;

/** After a run's terminal transition commits: lock its pool (reason "ended") and enqueue settlement. */
export async function afterRunTerminal(runId: string): Promise<void> {
  const result = await lockPool(db, { runId, reason: "ended" });
  if (!result.poolId) return;
  if (result.locked) await publishPoolUpdateById(result.poolId).catch(() => {});
  await enqueue(settlePoolJob, { poolId: result.poolId }, { jobId: settleJobId(result.poolId) });
}

/** When a run starts running: record when its pool locks (timeLockAt) and schedule that lock. */
export async function scheduleTimeLock(runId: string, locksAt: Date): Promise<void> {
  const poolId = await setPoolLocksAt(db, { runId, locksAt });
  if (!poolId) return;
  await enqueue(lockPoolJob, { runId }, { jobId: lockJobId(poolId), delay: Math.max(0, locksAt.getTime() - Date.now()) });
}
