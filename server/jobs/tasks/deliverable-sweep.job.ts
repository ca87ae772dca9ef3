// The deliverables' backstop, every TASK_SWEEP_EVERY_MS: a task whose result waits in review without
// its deliverable version (the hook after the result's commit never ran: a crash, a failed hook)
// gets it here. Idempotent: a version is made once per attempt.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { sweepDeliverables } from "../../commands/deliverables";

export const deliverableSweepJob = defineJob({
  name: "deliverable-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.TASK_SWEEP_EVERY_MS,
  async handle() {
    return sweepDeliverables();
  },
});
