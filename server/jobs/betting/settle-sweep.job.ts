// Every SETTLE_SWEEP_EVERY_MS: settles pools of finished runs that are still open or locked
// (a lost settle job, a crash between a run's end and the enqueue), and applies time locks
// whose delayed job did not fire. Settling here directly, rather than enqueueing settle-<poolId>,
// avoids BullMQ ignoring a job id it still remembers as completed.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { statusList } from "../../lib/run-status-sql";
import { TERMINAL_RUN_STATUSES } from "@shared/run-status";
import { logger } from "../../lib/logger";
import { settlePool } from "../../domain/betting/settle-pool";
import { lockPool } from "../../domain/betting/pools";
import { publishPoolUpdateById, publishSettlement } from "../../commands/pool-effects";

export const settleSweepJob = defineJob({
  name: "betting-settle-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.SETTLE_SWEEP_EVERY_MS,
  async handle() {
    return sweepPools();
  },
});

export async function sweepPools(): Promise<{ settled: number; timeLocked: number; failed: number }> {
  const due = await db.$queryRaw<{ id: string; runId: string }[]>`
    SELECT p.id, p."runId" FROM pools p
     WHERE p.status = 'open' AND p."locksAt" <= now() AT TIME ZONE 'UTC' LIMIT 500`;
  let timeLocked = 0;
  for (const pool of due) {
    const result = await lockPool(db, { runId: pool.runId, reason: "time" });
    if (result.locked) {
      timeLocked += 1;
      await publishPoolUpdateById(pool.id).catch(() => {});
    }
  }
  const finished = await db.$queryRaw<{ id: string }[]>`
    SELECT p.id FROM pools p JOIN runs s ON s.id = p."runId"
     WHERE p.status IN ('open', 'locked') AND s.status IN ${statusList(TERMINAL_RUN_STATUSES)}
     ORDER BY p."createdAt" LIMIT 100`;
  let settled = 0;
  let failed = 0;
  for (const { id } of finished) {
    try {
      const result = await settlePool(id);
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
