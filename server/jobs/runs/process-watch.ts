// Every PROCESS_WATCH_EVERY_MS: runs whose agent process exited without reporting end as `failed`
// (server/commands/run-lifecycle.ts endRunIfAgentExited; the local provider's exit notice is the fast path).
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { watchAgentProcesses } from "../../commands/run-lifecycle";

export const processWatchJob = defineJob({
  name: "sandbox-process-watch",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.PROCESS_WATCH_EVERY_MS,
  handle: () => watchAgentProcesses(),
});
