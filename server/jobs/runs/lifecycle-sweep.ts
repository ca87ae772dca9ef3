// Every 30 s (IDLE_KILL_EVERY_MS): idle, overdue, stalled and unverified runs are ended
// (server/commands/run-lifecycle.ts sweepRunLifecycle).
import { defineSweep } from "../define";
import { config } from "../../config";
import { sweepRunLifecycle } from "../../commands/run-lifecycle";

export const idleKillJob = defineSweep("sandbox-idle-kill", () => config.IDLE_KILL_EVERY_MS, sweepRunLifecycle);
