// The launch job (jobId launch-<runId>): server/commands/launch-run.ts does the steps.
import { defineJob } from "../define";
import { launchRun } from "../../commands/launch-run";
import { launchJobSpec } from "./specs";

export const launchJob = defineJob({
  ...launchJobSpec,
  concurrency: 8,
  handle: ({ runId }, job) => launchRun(runId, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
});
