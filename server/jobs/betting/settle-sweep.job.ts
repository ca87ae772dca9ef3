// Every SETTLE_SWEEP_EVERY_MS: the betting market's backstop (server/commands/betting.ts sweepPools).
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { sweepPools } from "../../commands/betting";

export const settleSweepJob = defineJob({
  name: "betting-settle-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.SETTLE_SWEEP_EVERY_MS,
  handle: () => sweepPools(),
});
