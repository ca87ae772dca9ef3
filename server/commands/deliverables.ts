// The commands of deliverables: each runs the domain's transaction, then its effects — the live
// deliverable:update to the workspace's members (and portal:delivery to the project's clients when
// it was delivered), task:update and dispatcher wake-ups for the tasks a
// decision moved, the dispatch of a revision (or of a rejected task to another agent), and the SLA
// watcher's checks for the clocks opened.
//
// Results become versions after their commit: the task-change hook below turns a task that reached
// review into its deliverable's next version, and the sweep (server/jobs/tasks/deliverable-sweep.job.ts)
// does the same for any the hook missed (a crash between the result's commit and the hook).
import { db } from "../lib/db";
import { AppError } from "../lib/errors";
import { logger } from "../lib/logger";
import { emitToRooms, live } from "../realtime/emit";
import { rooms } from "@shared/realtime";
import { projectClientIds } from "../domain/portal/access";
import { billingSettings } from "../billing/stripe-client";
import type { Actor } from "../domain/deliverables/access";
import {
  approveDeliverable,
  deliverDeliverable,
  rejectDeliverable,
  requestRevision as requestRevisionTx,
  type DecisionResult,
} from "../domain/deliverables/decisions";
import {
  isPlanLimit,
  noteHeldResult,
  recordResultVersion,
  resultsWithoutVersions,
  type DeliverableChange,
} from "../domain/deliverables/results";
import { onTaskChanges } from "./task-change-hooks";
import { afterTaskChanges } from "./task-effects";
import { dispatchOne } from "./tasks";
import { scheduleSlaChecks } from "./sla-effects";

const now = () => new Date();

export function publishDeliverableChange(change: DeliverableChange): void {
  live.workspace(change.workspaceId, "deliverable:update", {
    deliverableId: change.id,
    projectId: change.projectId,
    workspaceId: change.workspaceId,
    status: change.status,
    latestVersion: change.latestVersion,
    at: change.updatedAt.toISOString(),
  });
}

/** The SLA watcher's checks for clocks just opened (and the alerts of clocks just met: called after every change, even with none opened). */
async function scheduleChecks(opened: DecisionResult["opened"]) {
  await scheduleSlaChecks(opened).catch((err: unknown) => logger.warn({ err }, "could not schedule SLA checks; the SLA sweep will check"));
}

// ── results → versions ──

/** Turns the task's result into its deliverable's next version, if it waits in review without one. */
export async function recordTaskResult(taskId: string) {
  try {
    const recorded = await recordResultVersion(db, { taskId, now: now(), settings: billingSettings() });
    if (!recorded) return null;
    publishDeliverableChange(recorded.change);
    await scheduleChecks(recorded.opened);
    return recorded;
  } catch (err) {
    // Over the plan's monthly deliverables: the result waits in review, noted in the project's feed;
    // the sweep makes its deliverable once the plan allows (next month, or after an upgrade).
    if (isPlanLimit(err)) {
      await noteHeldResult(db, { taskId, error: err, now: now() });
      return null;
    }
    throw err;
  }
}

// Every task that reaches review (its result arrived) becomes a version; the sweep is the backstop.
onTaskChanges(async (changes) => {
  for (const c of changes) {
    if (c.status !== "review") continue;
    await recordTaskResult(c.id).catch((err: unknown) =>
      logger.warn({ err, taskId: c.id }, "a task's result did not become a deliverable version; the sweep will retry"),
    );
  }
});

/** The backstop: results in review for longer than `graceMs` without their version get one. */
export async function sweepDeliverables(opts: { graceMs?: number; limit?: number } = {}) {
  const pending = await resultsWithoutVersions(db, { limit: opts.limit ?? 200, before: new Date(Date.now() - (opts.graceMs ?? 5_000)) });
  let recorded = 0;
  for (const { taskId } of pending) {
    try {
      if (await recordTaskResult(taskId)) recorded += 1;
    } catch (err) {
      logger.error({ err, taskId }, "deliverable sweep: recording a result failed");
    }
  }
  return { pending: pending.length, recorded };
}

// ── decisions ──

/** A delivery reaches the project's clients in their portal at once (they are not in the workspace's room). */
async function announceDelivery(change: DeliverableChange) {
  const clientIds = await projectClientIds(db, { id: change.projectId, workspaceId: change.workspaceId });
  if (clientIds.length === 0) return;
  emitToRooms(
    clientIds.map((id) => rooms.user(id)),
    "portal:delivery",
    { deliverableId: change.id, projectId: change.projectId, version: change.latestVersion, at: change.updatedAt.toISOString() },
  );
}

async function afterDecision(result: DecisionResult, actor: Actor) {
  publishDeliverableChange(result.change);
  if (result.change.status === "delivered") {
    await announceDelivery(result.change).catch((err: unknown) =>
      logger.warn(
        { err, deliverableId: result.change.id },
        "could not tell the project's clients of a delivery; their portal shows it when reloaded",
      ),
    );
  }
  await afterTaskChanges(result.taskChanges);
  await scheduleChecks(result.opened);
  if (result.dispatchTaskId) {
    // Dispatched now if an agent can take it; otherwise the dispatcher (woken above) takes it when one can.
    await dispatchOne(result.dispatchTaskId, actor.userId).catch((err: unknown) =>
      logger.warn({ err, taskId: result.dispatchTaskId }, "could not dispatch after a decision; the dispatcher will"),
    );
  }
}

const view = (r: DecisionResult) => ({
  id: r.change.id,
  status: r.change.status,
  version: r.version,
  latestVersion: r.change.latestVersion,
  taskId: r.dispatchTaskId,
});

type Decide = { actor: Actor; id: string; version?: number | undefined };

export async function approve(input: Decide) {
  const r = await approveDeliverable(db, { ...input, now: now() });
  await afterDecision(r, input.actor);
  return view(r);
}

export async function deliver(input: Decide) {
  const r = await deliverDeliverable(db, { ...input, now: now() });
  await afterDecision(r, input.actor);
  return view(r);
}

export async function reject(input: Decide & { reason: string }) {
  const r = await rejectDeliverable(db, { ...input, now: now() });
  await afterDecision(r, input.actor);
  return view(r);
}

export async function requestRevision(input: Decide & { notes: string }) {
  const r = await requestRevisionTx(db, { ...input, now: now(), settings: billingSettings() });
  await afterDecision(r, input.actor);
  return view(r);
}

/**
 * The queue's batch buttons: each deliverable is decided on its own (one already decided by a
 * colleague, or not the caller's, does not stop the others); the answer says what happened to each.
 */
async function many(ids: string[], actor: Actor, one: (input: Decide) => Promise<ReturnType<typeof view>>) {
  const results = [];
  for (const id of [...new Set(ids)]) {
    try {
      results.push({ ok: true as const, ...(await one({ actor, id })) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ ok: false as const, id, code: err.code, message: err.message });
    }
  }
  return { results, succeeded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}

export const approveMany = (input: { actor: Actor; ids: string[] }) => many(input.ids, input.actor, approve);
export const deliverMany = (input: { actor: Actor; ids: string[] }) => many(input.ids, input.actor, deliver);
