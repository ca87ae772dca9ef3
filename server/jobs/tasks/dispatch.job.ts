// The dispatcher: woken after changes that may make work dispatchable (server/commands/tasks.ts
// wakeDispatch) and every TASK_DISPATCH_EVERY_MS as a backstop. Each pass dispatches the ready
// tasks whose dependencies are done, best first; row locks make concurrent passes (several
// workers) safe, and each attempt's run is created at most once.
import { defineJob } from "../define";
import { config } from "../../config";
import { runDispatchPass } from "../../commands/tasks";
import { dispatchJobSpec } from "./specs";

const MAX_PASSES = 20;

export const dispatchJob = defineJob({
  ...dispatchJobSpec,
  concurrency: 1,
  every: () => config.TASK_DISPATCH_EVERY_MS,
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
