// A run that starts gets the jobs that end it. Kept apart from after-change.ts because the expiry
// job stops runs through stop-run.ts, which itself uses after-change.ts: one module would be a cycle.
import type { TransitionResult } from "../../domain/sandbox/lifecycle";
import { scheduleTimeLock } from "../../domain/betting";
import { logger } from "../../lib/logger";
import { enqueue } from "../queues";
import { afterTransition } from "./after-change";
import { expireJob } from "./expire";

/** A run just started running: publish it, and schedule its expiry and its pool's time lock. */
export async function afterRunStarted(result: TransitionResult & { startedAt: Date; expiresAt: Date }): Promise<void> {
  await afterTransition(result);
  const duration = result.expiresAt.getTime() - result.startedAt.getTime();
  // Neither may fail the caller (often an agent's first bridge call) while Redis is down: the
  // lifecycle sweep expires overdue runs and the settle sweep locks pools past their locksAt.
  await enqueue(expireJob, { sandboxId: result.id }, { jobId: `expire-${result.id}`, delay: Math.max(0, result.expiresAt.getTime() - Date.now()) }).catch(
    (err: unknown) => logger.warn({ err, sandboxId: result.id }, "could not schedule the run's expiry; the lifecycle sweep will expire it"),
  );
  await scheduleTimeLock(result.id, new Date(result.startedAt.getTime() + duration * 0.8)).catch((err: unknown) =>
    logger.warn({ err, sandboxId: result.id }, "could not schedule the pool's time lock; the settle sweep will lock it"),
  );
}
