// Moving a pipeline on after one of its tasks changed. Idempotent and safe to run concurrently
// (the pipeline's row lock), so the task-change hook, the external-job handlers and the backstop
// sweep may all call it: a step whose task finally failed (or was canceled) stops its dependents
// (canceled, naming the step) and the pipeline records where; a step run by an external service
// whose dependencies are done starts (its task running, attempt 1 recorded for the start job);
// a pipeline whose tasks have all ended succeeds (every step done) or fails.
import type { DbClient } from "../../lib/db";
import { inTransaction } from "../../lib/db";
import { dependentsOf, findPipelineTemplate } from "@shared/pipeline-templates";

const ENDED = new Set(["done", "failed", "canceled"]);
/** The error of a task canceled because a step it depends on failed. */
export const STOPPED_PREFIX = "stopped: pipeline step";

export interface AdvanceResult {
  pipelineId: string;
  workspaceId: string;
  projectId: string;
  batchId: string | null;
  /** Tasks canceled because a step they depend on failed. */
  canceledTaskIds: string[];
  /** Tasks of external steps moved to running. */
  startedTaskIds: string[];
  /** External job attempts recorded (to be started by the start job). */
  externalJobIds: string[];
  /** The pipeline's status if it ended now. */
  ended: "succeeded" | "failed" | null;
}

/** `secondMs`: milliseconds in a "second" of the template's external job timings (tests shorten it). */
export async function advancePipeline(
  db: DbClient,
  pipelineId: string,
  opts: { now?: Date; secondMs?: number } = {},
): Promise<AdvanceResult | null> {
  const now = opts.now ?? new Date();
  const second = opts.secondMs ?? 1_000;
  return inTransaction(db, async (tx) => {
    const [locked] = await tx.$queryRaw<
      { id: string }[]
    >`SELECT "id" FROM "pipelines" WHERE "id" = ${pipelineId} AND "status" = 'running' FOR UPDATE`;
    if (!locked) return null;
    const pipeline = await tx.pipeline.findUniqueOrThrow({
      where: { id: pipelineId },
      select: {
        workspaceId: true,
        projectId: true,
        batchId: true,
        templateKey: true,
        failedStepKey: true,
        tasks: { select: { id: true, stepKey: true, status: true, error: true } },
      },
    });
    const result: AdvanceResult = {
      pipelineId,
      workspaceId: pipeline.workspaceId,
      projectId: pipeline.projectId,
      batchId: pipeline.batchId,
      canceledTaskIds: [],
      startedTaskIds: [],
      externalJobIds: [],
      ended: null,
    };
    const template = findPipelineTemplate(pipeline.templateKey);
    if (!template) return result;
    const tasks = new Map(pipeline.tasks.map((t) => [t.stepKey!, t]));

    // The first step (in template order) that finally failed or was canceled by someone: where the pipeline stopped.
    let failedStepKey = pipeline.failedStepKey;
    for (const step of template.steps) {
      const task = tasks.get(step.key);
      if (!task || (task.status !== "failed" && task.status !== "canceled")) continue;
      if (task.error?.startsWith(STOPPED_PREFIX)) continue;
      failedStepKey ??= step.key;
      const stop = dependentsOf(template, step.key)
        .map((k) => tasks.get(k))
        .filter((t) => t && (t.status === "backlog" || t.status === "ready"))
        .map((t) => t!.id);
      if (stop.length > 0) {
        const reason = `${STOPPED_PREFIX} "${step.key}" ${task.status}`;
        const canceled = await tx.task.updateManyAndReturn({
          where: { id: { in: stop }, status: { in: ["backlog", "ready"] } },
          data: { status: "canceled", error: reason, finishedAt: now },
          select: { id: true, stepKey: true },
        });
        for (const c of canceled) {
          result.canceledTaskIds.push(c.id);
          tasks.get(c.stepKey!)!.status = "canceled";
        }
      }
    }
    if (failedStepKey && failedStepKey !== pipeline.failedStepKey) {
      const task = tasks.get(failedStepKey)!;
      await tx.pipeline.update({
        where: { id: pipelineId },
        data: { failedStepKey, error: `step "${failedStepKey}" ${task.status}${task.error ? `: ${task.error}` : ""}` },
      });
    }

    // External steps whose dependencies are all done start now.
    for (const step of template.steps) {
      const task = tasks.get(step.key);
      if (!step.externalJob || !task || task.status !== "backlog") continue;
      if (!step.dependsOn.every((d) => tasks.get(d)?.status === "done")) continue;
      const moved = await tx.task.updateMany({ where: { id: task.id, status: "backlog" }, data: { status: "running", startedAt: now } });
      if (moved.count === 0) continue;
      task.status = "running";
      result.startedTaskIds.push(task.id);
      // A retried step (task.retry) numbers its attempts on from the earlier ones, with the step's attempts again.
      const before = (await tx.pipelineExternalJob.aggregate({ where: { taskId: task.id }, _max: { attempt: true } }))._max.attempt ?? 0;
      const job = await tx.pipelineExternalJob.create({
        data: {
          pipelineId,
          taskId: task.id,
          attempt: before + 1,
          maxAttempts: before + step.externalJob.attempts,
          service: step.externalJob.service,
          startAfter: now,
          timeoutAt: new Date(now.getTime() + step.externalJob.timeoutSeconds * second),
          pollEveryMs: step.externalJob.pollEverySeconds * second,
        },
        select: { id: true },
      });
      result.externalJobIds.push(job.id);
    }

    const statuses = [...tasks.values()].map((t) => t.status);
    if (statuses.every((s) => ENDED.has(s))) {
      result.ended = statuses.every((s) => s === "done") ? "succeeded" : "failed";
      await tx.pipeline.update({ where: { id: pipelineId }, data: { status: result.ended, finishedAt: now } });
    }
    return result;
  });
}

/** Running pipelines, oldest first (the backstop sweep advances each). */
export async function runningPipelineIds(db: DbClient, limit = 500): Promise<string[]> {
  const rows = await db.pipeline.findMany({
    where: { status: "running" },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: limit,
  });
  return rows.map((r) => r.id);
}
