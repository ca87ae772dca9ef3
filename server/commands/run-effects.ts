// What happens after a run's state changed and committed: live updates go out, and a run that
// ended is handed to cleanup and settlement. Every path that changes a run (commands, the bridge,
// jobs) calls these, so the follow-ups are the same whoever caused the change.
import { live } from "../realtime/emit";
import type { StoredEvent } from "../domain/runs/events";
import type { ProgressResult } from "../domain/runs/progress";
import type { TransitionResult } from "../domain/runs/lifecycle";
import { isTerminalRun } from "@shared/run-status";
import { balanceOf, userAccountKey } from "../domain/ledger";
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { enqueue } from "../jobs/queues";
import { finalizeJob } from "../jobs/runs/finalize";
import { afterRunTerminal } from "../jobs/betting/run-hooks";
import { publishPoolUpdate } from "./pool-effects";
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
    enqueue(finalizeJob, { runId: result.id }, { jobId: `finalize-${result.id}` }).catch((err: unknown) =>
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
