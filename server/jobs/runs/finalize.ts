// After a run ends: its sandbox is removed (jobId finalize-<runId>; the reaper is the backstop).
import { defineJob } from "../define";
import { finalizeRun } from "../../commands/run-lifecycle";
import { finalizeJobSpec } from "./specs";

export const finalizeJob = defineJob({
  ...finalizeJobSpec,
  handle: ({ runId }) => finalizeRun(runId),
});
