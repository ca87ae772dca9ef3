// Runs a run's verifier and ends the run on what it measured (jobId verify-<runId>): a job rather
// than work inside the agent's bridge request, because a verifier (a test suite) may take minutes.
import { defineJob } from "../define";
import { verifyRun } from "../../commands/run-lifecycle";
import { verifyJobSpec } from "./specs";

export const verifyJob = defineJob({
  ...verifyJobSpec,
  handle: ({ runId, trigger }, job) => verifyRun(runId, trigger, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
});
