// A task's result becomes a deliverable's version. When an attempt at a task that requires review
// succeeds, the task waits in `review` (server/domain/tasks/attempts.ts); here its result becomes:
// - version 1 of a new deliverable, for a task that has none;
// - version N+1 of the task's own deliverable, when the task was done again after a rejection;
// - version N+1 of the parent's deliverable, for a revision task (type "revision") whose parent has one.
// Idempotent by the attempt (deliverable_versions.attemptId is unique, and the task's row lock
// orders two callers), so the post-commit hook and the backstop sweep may both try.
//
// Only tasks that require review make deliverables. A task without requiresReview goes straight to
// done: it is internal work — a pipeline's research or draft step, a subtask feeding another —
// whose output is consumed by the tasks that depend on it, not handed to anyone. Making those
// deliverables would flood the review queue with intermediate steps nobody is meant to approve,
// count them against the plan's monthly deliverables, and open SLA clocks on them. Whoever wants a
// task's result reviewed and delivered marks it requiresReview.
import { inTransaction, type DbClient, type Prisma } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { monthStartUtc } from "@shared/billing";
import { DELIVERABLE_ACTIVITY, REVISION_TASK_TYPE, type DeliverableStatus } from "@shared/deliverables";
import { enforceDeliverableLimit } from "../billing/plans";
import type { BillingSettings } from "../billing/settings";
import { meetSlas, openSla, type OpenedSla } from "./sla";
import { recordActivity } from "./activity";

/** What a live `deliverable:update` carries. */
export interface DeliverableChange {
  id: string;
  projectId: string;
  workspaceId: string;
  status: DeliverableStatus;
  latestVersion: number;
  updatedAt: Date;
}

export const deliverableChangeSelect = {
  id: true,
  projectId: true,
  workspaceId: true,
  status: true,
  latestVersion: true,
  updatedAt: true,
} satisfies Prisma.DeliverableSelect;

export interface RecordedVersion {
  change: DeliverableChange;
  version: number;
  created: boolean;
  opened: OpenedSla[];
}

interface LockedTask {
  id: string;
  workspaceId: string;
  projectId: string;
  title: string;
  type: string;
  status: string;
  priority: number;
  parentTaskId: string | null;
  resultArtifacts: unknown;
  slaPolicy: unknown;
}

/** The version's text: the attempt's summary, and the output's own text when it has one. */
export function versionBody(summary: string | null, output: unknown): string {
  const parts = [summary?.trim() ?? ""];
  const text =
    typeof output === "string"
      ? output
      : output && typeof output === "object" && typeof (output as { text?: unknown }).text === "string"
        ? (output as { text: string }).text
        : "";
  if (text.trim() && text.trim() !== parts[0]) parts.push(text.trim());
  return parts.filter(Boolean).join("\n\n");
}

/**
 * Makes the version of the task's newest succeeded attempt, if the task waits in review and that
 * attempt has none yet. Null when there is nothing to do (already made, or the task moved on).
 * A new deliverable is refused (PLAN_LIMIT) when the workspace's plan allows no more this month.
 */
export async function recordResultVersion(
  db: DbClient,
  input: { taskId: string; now: Date; settings: BillingSettings },
): Promise<RecordedVersion | null> {
  return inTransaction(db, async (tx) => {
    const [task] = await tx.$queryRaw<LockedTask[]>`
      SELECT t.id, t."workspaceId", t."projectId", t.title, t.type, t.status::text AS status, t.priority, t."parentTaskId",
             t."resultArtifacts", p."slaPolicy"
        FROM tasks t JOIN projects p ON p.id = t."projectId"
       WHERE t.id = ${input.taskId}
       FOR UPDATE OF t`;
    if (!task || task.status !== "review") return null;
    const attempt = await tx.taskAttempt.findFirst({
      where: { taskId: task.id, status: "succeeded" },
      orderBy: { number: "desc" },
      select: { id: true, runId: true, agentId: true, summary: true, output: true },
    });
    if (!attempt) return null;
    if (await tx.deliverableVersion.findUnique({ where: { attemptId: attempt.id }, select: { id: true } })) return null;

    const files = attempt.runId
      ? (
          await tx.artifact.findMany({
            where: { runId: attempt.runId },
            select: { id: true, filename: true, contentType: true, size: true, kind: true },
            orderBy: { createdAt: "asc" },
          })
        ).map((a) => ({ ...a, runId: attempt.runId, url: `/api/artifacts/${a.id}` }))
      : Array.isArray(task.resultArtifacts)
        ? task.resultArtifacts
        : [];
    const versionData = {
      taskId: task.id,
      attemptId: attempt.id,
      runId: attempt.runId,
      agentId: attempt.agentId,
      title: task.title,
      body: versionBody(attempt.summary, attempt.output),
      output: (attempt.output ?? undefined) as Prisma.InputJsonValue | undefined,
      files: files as Prisma.InputJsonValue,
      status: "review" as const,
      createdAt: input.now,
    };

    // The deliverable this result continues: the task's own (done again after a rejection), or a revision's parent's.
    const ownerTaskId = task.type === REVISION_TASK_TYPE && task.parentTaskId ? task.parentTaskId : task.id;
    const [existing] = await tx.$queryRaw<{ id: string; latestVersion: number }[]>`
      SELECT id, "latestVersion" FROM deliverables WHERE "taskId" IN (${task.id}, ${ownerTaskId}) ORDER BY ("taskId" = ${task.id}) DESC LIMIT 1 FOR UPDATE`;

    if (existing) {
      const number = existing.latestVersion + 1;
      await tx.deliverableVersion.create({ data: { ...versionData, deliverableId: existing.id, number }, select: { id: true } });
      const change = await tx.deliverable.update({
        where: { id: existing.id },
        data: { status: "review", latestVersion: number, agentId: attempt.agentId },
        select: deliverableChangeSelect,
      });
      // A revision that arrives answers the revision clock.
      if (task.id !== ownerTaskId) await meetSlas(tx, { deliverableId: existing.id, kinds: ["revision"], now: input.now });
      await recordActivity(tx, {
        workspaceId: task.workspaceId,
        projectId: task.projectId,
        actorId: null,
        kind: DELIVERABLE_ACTIVITY.versionAdded,
        subjectId: existing.id,
        data: { version: number, title: task.title, taskId: task.id, agentId: attempt.agentId },
        now: input.now,
      });
      return { change, version: number, created: false, opened: [] };
    }

    // A new deliverable: the plan's monthly limit counts the workspace's deliverables made this
    // month, taking turns on the workspace's row so concurrent results count each other.
    await tx.$queryRaw`SELECT 1 FROM workspaces WHERE id = ${task.workspaceId} FOR NO KEY UPDATE`;
    const deliverablesThisMonth = await tx.deliverable.count({
      where: { workspaceId: task.workspaceId, createdAt: { gte: monthStartUtc(input.now) } },
    });
    await enforceDeliverableLimit(tx, { workspaceId: task.workspaceId, deliverablesThisMonth }, input.settings);
    const created = await tx.deliverable.create({
      data: {
        workspaceId: task.workspaceId,
        projectId: task.projectId,
        taskId: task.id,
        title: task.title,
        status: "review",
        latestVersion: 1,
        agentId: attempt.agentId,
        createdAt: input.now,
        versions: { create: { ...versionData, number: 1 } },
      },
      select: deliverableChangeSelect,
    });
    const clock = {
      deliverableId: created.id,
      workspaceId: task.workspaceId,
      priority: task.priority,
      policy: task.slaPolicy,
      now: input.now,
    };
    const opened = [await openSla(tx, { ...clock, kind: "first_response" }), await openSla(tx, { ...clock, kind: "delivery" })];
    await recordActivity(tx, {
      workspaceId: task.workspaceId,
      projectId: task.projectId,
      actorId: null,
      kind: DELIVERABLE_ACTIVITY.created,
      subjectId: created.id,
      data: { version: 1, title: task.title, taskId: task.id, agentId: attempt.agentId },
      now: input.now,
    });
    return { change: created, version: 1, created: true, opened };
  });
}

/** A result held back by the plan's monthly limit: noted once in the project's feed (the sweep retries the deliverable). */
export async function noteHeldResult(db: DbClient, input: { taskId: string; error: AppError; now: Date }) {
  const task = await db.task.findUnique({
    where: { id: input.taskId },
    select: { id: true, title: true, workspaceId: true, projectId: true },
  });
  if (!task) return;
  const noted = await db.projectActivity.findFirst({
    where: { projectId: task.projectId, kind: DELIVERABLE_ACTIVITY.held, subjectId: task.id },
    select: { id: true },
  });
  if (noted) return;
  await recordActivity(db, {
    workspaceId: task.workspaceId,
    projectId: task.projectId,
    actorId: null,
    kind: DELIVERABLE_ACTIVITY.held,
    subjectId: task.id,
    data: { taskId: task.id, title: task.title, reason: input.error.message },
    now: input.now,
  });
}

/**
 * The backstop's work list: tasks waiting in review whose newest succeeded attempt has no version
 * yet (the hook after the result's commit did not run: a crash, a failed hook), oldest first.
 */
export async function resultsWithoutVersions(db: DbClient, input: { limit: number; before: Date }) {
  return db.$queryRaw<{ taskId: string }[]>`
    SELECT t.id AS "taskId"
      FROM tasks t
      JOIN LATERAL (
        SELECT a.id FROM task_attempts a WHERE a."taskId" = t.id AND a.status = 'succeeded' ORDER BY a.number DESC LIMIT 1
      ) a ON true
     WHERE t.status = 'review' AND t."updatedAt" < ${input.before}
       AND NOT EXISTS (SELECT 1 FROM deliverable_versions v WHERE v."attemptId" = a.id)
     ORDER BY t."updatedAt"
     LIMIT ${input.limit}`;
}

export const isPlanLimit = (e: unknown): e is AppError => e instanceof AppError && e.code === "PLAN_LIMIT";
