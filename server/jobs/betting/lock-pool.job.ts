// The time lock: a delayed job (jobId lock-<poolId>) due at timeLockAt (shared/run-status.ts).
import { defineJob } from "../define";
import { lockPoolOnTime } from "../../commands/betting";
import { lockPoolJobSpec } from "./specs";

export const lockPoolJob = defineJob({
  ...lockPoolJobSpec,
  handle: ({ runId }) => lockPoolOnTime(runId),
});
