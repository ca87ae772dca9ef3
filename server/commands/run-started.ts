// A run that starts gets the jobs that end it. Kept apart from run-effects.ts because the expiry
// job stops runs through stop-run.ts, which itself uses run-effects.ts: one module would be a cycle.
import type { TransitionResult } from "../domain/runs/lifecycle";
import { timeLockAt } from "@shared/run-status";
import { logger } from "../lib/logger";
import { enqueue } from "../jobs/queues";
import { expireJob } from "../jobs/runs/expire";
import { scheduleTimeLock } from "../jobs/betting/run-hooks";
import { afterTransition } from "./run-effects";

/** A run just started running: publish it, and schedule its expiry and its pool's time lock. */
export async function afterRunStarted(result: TransitionResult & { startedAt: Date; expiresAt: Date }): Promise<void> {
  await afterTransition(result);
  // Neither may fail the caller (often an agent's first bridge call) while Redis is down: the
  // lifecycle sweep expires overdue runs and the settle sweep locks pools past their locksAt.
  await enqueue(
    expireJob,
    { runId: result.id },
    { jobId: `expire-${result.id}`, delay: Math.max(0, result.expiresAt.getTime() - Date.now()) },
  ).catch((err: unknown) =>
    logger.warn({ err, runId: result.id }, "could not schedule the run's expiry; the lifecycle sweep will expire it"),
  );
  await scheduleTimeLock(result.id, timeLockAt(result.startedAt, result.expiresAt)).catch((err: unknown) =>
    logger.warn({ err, runId: result.id }, "could not schedule the pool's time lock; the settle sweep will lock it"),
  );
}
