// Housekeeping of work (every TASK_SWEEP_EVERY_MS), each step idempotent:
// - external agents not heard from for AGENT_OFFLINE_AFTER_SECONDS go offline;
// - claimed attempts whose lease expired end as expired, and their tasks return to the queue;
// - attempts whose run ended without the end reaching them (a crash between the two) move on;
// - builtin attempts still without a run after TASK_LAUNCH_STALE_MS (their dispatcher died) are launched again.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { attemptsWithEndedRuns, expiredLeases, finishAttempt, markSilentAgentsOffline } from "../../domain/tasks/attempts";
import { staleLaunchingAttempts } from "../../domain/tasks/dispatch";
import { afterAttemptFinished, afterTaskRunEnded, launchAttempt } from "../../commands/tasks";

const BATCH = 200;

export const taskSweepJob = defineJob({
  name: "task-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.TASK_SWEEP_EVERY_MS,
  async handle() {
    const now = new Date();
    const offline = await markSilentAgentsOffline(db, { before: new Date(now.getTime() - config.AGENT_OFFLINE_AFTER_SECONDS * 1000) });
    let expired = 0;
    for (const a of await expiredLeases(db, { now, limit: BATCH })) {
      const finished = await finishAttempt(db, {
        attemptId: a.id,
        now,
        retryBackoffMs: config.TASK_RETRY_BACKOFF_MS,
        result: { outcome: "expired", error: "the agent's lease expired before it reported a result" },
      });
      if (finished) expired += 1;
      await afterAttemptFinished(finished);
    }
    let ended = 0;
    for (const a of await attemptsWithEndedRuns(db, { limit: BATCH })) {
      await afterTaskRunEnded(a.runId!);
      ended += 1;
    }
    let relaunched = 0;
    for (const a of await staleLaunchingAttempts(db, { before: new Date(now.getTime() - config.TASK_LAUNCH_STALE_MS), limit: BATCH })) {
      await launchAttempt(a.id).catch((err: unknown) => logger.warn({ err, attemptId: a.id }, "relaunching a task attempt failed"));
      relaunched += 1;
    }
    return { offline: offline.length, expired, ended, relaunched };
  },
});
