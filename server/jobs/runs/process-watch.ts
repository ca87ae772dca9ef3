// Every PROCESS_WATCH_EVERY_MS: runs whose agent process exited without reporting end as `failed`
// (server/commands/run-lifecycle.ts endRunIfAgentExited; the local provider's exit notice is the fast path).
import { defineSweep } from "../define";
import { config } from "../../config";
import { watchAgentProcesses } from "../../commands/run-lifecycle";

export const processWatchJob = defineSweep("sandbox-process-watch", () => config.PROCESS_WATCH_EVERY_MS, watchAgentProcesses);
