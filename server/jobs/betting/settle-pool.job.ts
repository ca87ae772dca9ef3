// Settles one pool (jobId settle-<poolId>, enqueued when its run ends). settlePool is
// exactly-once by itself, so a duplicate or retried job is harmless.
import { z } from "zod";
import { defineJob } from "../define";
import { settlePool } from "../../domain/betting/settle-pool";
import { publishSettlement } from "../../commands/pool-effects";

export const settlePoolJob = defineJob({
  name: "betting-settle-pool",
  schema: z.object({ poolId: z.string().min(1) }),
  concurrency: 2,
  async handle({ poolId }) {
    const result = await settlePool(poolId);
    await publishSettlement(result);
    const { balances: _omit, ...summary } = result;
    return summary;
  },
});
