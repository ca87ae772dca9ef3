// What follows a change to tasks, once it has committed: task:update to the workspace's members,
// a wake-up for the dispatcher and for external agents long-polling for work, webhook deliveries,
// and the end of a run handed to its attempt. Kept apart from server/commands/tasks.ts so the
// run's own effects (run-effects.ts) can call in here without a cycle through run creation.
import { config } from "../config";
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { live } from "../realtime/emit";
import { enqueue } from "../jobs/queues";
import { dispatchJobSpec, deliverWebhookJobSpec } from "../jobs/tasks/specs";
import { createWakeSignal } from "../bridge/wake-signal";
import type { TaskChange } from "../domain/tasks/tasks";
import type { TaskUpdateMessage } from "@shared/realtime";
import type { FinishedAttempt } from "../domain/tasks/attempts";
import { finishAttemptOfRun } from "../domain/tasks/run-results";
import { runTaskChangeHooks } from "./task-change-hooks";

/** External agents long-polling GET /tasks/next wait on their workspace's key. */
export const taskSignal = createWakeSignal("tasks-ready");

// ── effects ──

/**
 * task:update to the workspace's members. The changes of one turn of the event loop go out as one
 * message per workspace: the tasks a claim or result statement moved together (lib/group-commit.ts)
 * cost one Redis publish, which every API process then reads back, instead of one each — in
 * bench:dispatch, publishing each change alone cost the API 0.12–0.17 ms per claim → result round trip.
 */
export function publishTaskChange(change: TaskChange): void {
  const { workspaceId } = change;
  live.gather<TaskUpdateMessage>(
    `task:update:${workspaceId}`,
    {
      taskId: change.id,
      projectId: change.projectId,
      workspaceId,
      status: change.status,
      priority: change.priority,
      assignedAgentId: change.assignedAgentId,
      attemptCount: change.attemptCount,
      at: change.updatedAt.toISOString(),
    },
    (updates) => live.workspace(workspaceId, "task:update", { workspaceId, updates }),
  );
}

/** Wakes the dispatcher soon (wake-ups within a quarter second share one job; the scheduler is the backstop). */
export async function wakeDispatch(delayMs = 0, key?: string): Promise<void> {
  const jobId = key ? `dispatch-${key}` : `dispatch-${Math.floor(Date.now() / 250)}`;
  await enqueue(dispatchJobSpec, {}, { jobId, ...(delayMs > 0 ? { delay: delayMs } : {}) }).catch((err: unknown) =>
    logger.warn({ err }, "could not wake the dispatcher; its scheduler will run it"),
  );
}

/**
 * Pipelines move on (the next steps, or stopping a failed step's dependents) and their batches'
 * counts with them; their sweep is the backstop. Dispatch and claims call it for the tasks they start.
 */
export async function followTaskChanges(changes: TaskChange[]): Promise<void> {
  await runTaskChangeHooks(changes).catch((err: unknown) => logger.warn({ err }, "a task-change hook failed; its sweep will redo it"));
}

/** Publishes the changes and, when work may have become available, wakes the dispatcher and the workspace's pollers. */
export async function afterTaskChanges(changes: TaskChange[]): Promise<void> {
  for (const c of changes) publishTaskChange(c);
  await followTaskChanges(changes);
  const readyIn = new Set(changes.filter((c) => c.status === "ready" || c.status === "done").map((c) => c.workspaceId));
  if (readyIn.size === 0) return;
  await Promise.all([wakeDispatch(), ...[...readyIn].map((ws) => taskSignal.signal(ws))]);
}

export async function afterAttemptFinished(finished: FinishedAttempt | null): Promise<void> {
  const change = finished?.change;
  if (!change) return;
  publishTaskChange(change);
  await followTaskChanges([change]);
  // Work became available only if the task is ready again now, or its being done unblocks others.
  if ((change.status === "ready" && !finished.retryAt) || finished.unblocks) {
    await Promise.all([wakeDispatch(), taskSignal.signal(change.workspaceId)]);
  }
  if (finished.retryAt) {
    const delay = Math.max(0, finished.retryAt.getTime() - Date.now());
    await wakeDispatch(delay, `retry-${finished.attemptId}`);
  }
}

export async function enqueueDelivery(deliveryId: string, replay?: number): Promise<void> {
  await enqueue(
    deliverWebhookJobSpec,
    { deliveryId },
    { jobId: replay ? `webhook-${deliveryId}-replay-${replay}` : `webhook-${deliveryId}` },
  ).catch((err: unknown) => logger.warn({ err, deliveryId }, "could not enqueue a webhook delivery"));
}

/** Where runs end (server/commands/run-effects.ts): the attempt the run served moves on, and its task. */
export async function afterTaskRunEnded(runId: string): Promise<void> {
  const finished = await finishAttemptOfRun(db, { runId, now: new Date(), retryBackoffMs: config.TASK_RETRY_BACKOFF_MS });
  await afterAttemptFinished(finished);
}
