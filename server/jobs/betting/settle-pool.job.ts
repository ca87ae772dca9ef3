// Settles one pool (jobId settle-<poolId>, enqueued when its run ends). Settlement is exactly-once
// by itself, so a duplicate or retried job is harmless.
import { defineJob } from "../define";
import { settlePool } from "../../commands/betting";
import { settlePoolJobSpec } from "./specs";

export const settlePoolJob = defineJob({
  ...settlePoolJobSpec,
  concurrency: 2,
  async handle({ poolId }) {
    const { balances: _omit, ...summary } = await settlePool(poolId);
    return summary;
  },
});
