// Every 30 s (IDLE_KILL_EVERY_MS): idle, overdue, stalled and unverified runs are ended
// (server/commands/run-lifecycle.ts sweepRunLifecycle).
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { sweepRunLifecycle } from "../../commands/run-lifecycle";

export const idleKillJob = defineJob({
  name: "sandbox-idle-kill",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.IDLE_KILL_EVERY_MS,
  handle: () => sweepRunLifecycle(),
});
