// The dispatcher: woken after changes that may make work dispatchable (server/commands/tasks.ts
// wakeDispatch) and every TASK_DISPATCH_EVERY_MS as a backstop. Each pass dispatches the ready
// tasks whose dependencies are done, best first; row locks make concurrent passes (several
// workers) safe, and each attempt's run is created at most once.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { runDispatchPass } from "../../commands/tasks";

const MAX_PASSES = 20;

export const dispatchJob = defineJob({
  name: "task-dispatch",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.TASK_DISPATCH_EVERY_MS,
  // A wake-up's id frees as soon as it has run, so the next change's wake-up is not dropped as a duplicate.
  jobOptions: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 }, attempts: 3, backoff: { type: "exponential", delay: 1000 } },
  async handle() {
    let total = 0;
    // Tasks dispatched in a pass may free others (a full page): go on while passes make progress.
    for (let i = 0; i < MAX_PASSES; i += 1) {
      const pass = await runDispatchPass();
      total += pass.dispatched;
      if (pass.dispatched === 0) break;
    }
    return { dispatched: total };
  },
});
