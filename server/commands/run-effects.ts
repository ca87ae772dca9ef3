// What happens after a run's state changed and committed: live updates go out, a run that started
// gets the jobs that end it, and a run that ended is handed to cleanup and settlement. Every
// command that changes a run (a user's, the agent's through the bridge, a job's) calls these, so
// the follow-ups are the same whoever caused the change.
import { live } from "../realtime/emit";
import type { StoredEvent } from "../domain/runs/events";
import type { ProgressResult } from "../domain/runs/progress";
import type { TransitionResult } from "../domain/runs/lifecycle";
import { isTerminalRun, timeLockAt } from "@shared/run-status";
import { balanceOf, userAccountKey } from "../domain/ledger";
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { enqueue } from "../jobs/queues";
import { expireJobSpec, finalizeJobSpec } from "../jobs/runs/specs";
import { afterRunTerminal, publishPoolUpdate, scheduleTimeLock } from "./pool-effects";
import { afterTaskRunEnded } from "./task-effects";

export function publishEvents(events: StoredEvent[]): void {
  const first = events[0];
  if (!first) return;
  live.run(first.runId, "run:events", {
    runId: first.runId,
    events: events.map((e) => ({
      runId: e.runId,
      seq: e.seq,
      kind: e.kind,
      payload: e.payload,
      createdAt: e.createdAt.toISOString(),
    })),
  });
}

export async function afterProgress(runId: string, result: ProgressResult): Promise<void> {
  publishEvents([result.event]);
  live.runAndArena(runId, "run:progress", {
    runId,
    currentProgress: result.currentProgress,
    targetValue: result.targetValue,
    at: result.event.createdAt.toISOString(),
  });
  if (result.poolLocked) await publishPoolUpdate(runId).catch(() => {});
}

export async function publishBalance(userId: string, reason: string): Promise<void> {
  live.user(userId, "balance:update", { balance: await balanceOf(db, userAccountKey(userId)), reason });
}

export async function afterTransition(result: TransitionResult): Promise<void> {
  publishEvents([result.event]);
  live.runAndArena(result.id, "run:status", {
    runId: result.id,
    status: result.status,
    statusReason: result.statusReason,
    error: result.error,
    startedAt: result.startedAt?.toISOString() ?? null,
    expiresAt: result.expiresAt?.toISOString() ?? null,
    finishedAt: result.finishedAt?.toISOString() ?? null,
    at: result.event.createdAt.toISOString(),
  });
  if (!isTerminalRun(result.status)) return;
  for (const r of result.returned) await publishBalance(r.userId, "credits returned").catch(() => {});
  // Both are idempotent and also swept periodically, so a crash right here loses nothing.
  await Promise.all([
    enqueue(finalizeJobSpec, { runId: result.id }, { jobId: `finalize-${result.id}` }).catch((err: unknown) =>
      logger.warn({ err, runId: result.id }, "could not enqueue sandbox cleanup; the reaper will do it"),
    ),
    afterRunTerminal(result.id).catch((err: unknown) =>
      logger.warn({ err, runId: result.id }, "could not hand the run to settlement; the sweep will do it"),
    ),
    // A task's run: its attempt and task move on (server/commands/tasks.ts).
    afterTaskRunEnded(result.id).catch((err: unknown) =>
      logger.warn({ err, runId: result.id }, "could not end the task attempt of a run; the task sweep will do it"),
    ),
  ]);
}

/** A run just started running: publish it, and schedule its expiry and its pool's time lock. */
export async function afterRunStarted(result: TransitionResult & { startedAt: Date; expiresAt: Date }): Promise<void> {
  await afterTransition(result);
  // Neither may fail the caller (often an agent's first bridge call) while Redis is down: the
  // lifecycle sweep expires overdue runs and the settle sweep locks pools past their locksAt.
  await enqueue(
    expireJobSpec,
    { runId: result.id },
    { jobId: `expire-${result.id}`, delay: Math.max(0, result.expiresAt.getTime() - Date.now()) },
  ).catch((err: unknown) =>
    logger.warn({ err, runId: result.id }, "could not schedule the run's expiry; the lifecycle sweep will expire it"),
  );
  await scheduleTimeLock(result.id, timeLockAt(result.startedAt, result.expiresAt)).catch((err: unknown) =>
    logger.warn({ err, runId: result.id }, "could not schedule the pool's time lock; the settle sweep will lock it"),
  );
}
