// The SLA watcher's backstop (every SLA_SWEEP_EVERY_MS): moves every open clock past its threshold
// (delayed jobs lost with Redis, clocks held when their job ran) and sends the alerts of changes not
// yet announced (a worker killed between a change and its alert, met clocks). Idempotent: a sweep
// racing another, or a job, changes and announces each clock once.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { advanceSlaClocks } from "../../commands/sla";

export const slaSweepJob = defineJob({
  name: "sla-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.SLA_SWEEP_EVERY_MS,
  jobOptions: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 }, attempts: 1 },
  async handle() {
    return advanceSlaClocks({});
  },
});
