// Pipeline commands: start one pipeline or a batch, and the hook every path that changes a
// pipeline's task calls. Each runs the domain change, then — once it has committed — its effects
// (jobs/pipelines/pipeline-flow.ts: advancing, external job starts, dispatch wake, live updates).
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { enqueue } from "../jobs/queues";
import { advanceNow, afterPipelinesCreated, batchExpandJob } from "../jobs/pipelines/pipeline-flow";
import { startPipeline as startPipelineDomain } from "../domain/pipelines/start";
import { startBatch as startBatchDomain } from "../domain/pipelines/batches";
import type { PipelineActor } from "../domain/pipelines/access";
import { cancelPipeline as cancelPipelineDomain } from "../domain/pipelines/cancel";
import { afterTaskChanges, stopRunsOfCanceledTasks } from "./tasks";
import { publishBatch, publishPipeline } from "./pipeline-live";

export async function startPipeline(
  actor: PipelineActor,
  input: { projectId: string; templateId: string; input: Record<string, unknown> },
) {
  const started = await startPipelineDomain(db, actor, { projectId: input.projectId, templateKey: input.templateId, input: input.input });
  await afterPipelinesCreated([started]);
  return { id: started.pipelineId, taskIds: started.taskIds };
}

export async function startBatch(
  actor: PipelineActor,
  input: { projectId: string; templateId: string; inputs: Record<string, unknown>[]; idempotencyKey: string },
) {
  const { batchId, created } = await startBatchDomain(db, actor, {
    projectId: input.projectId,
    templateKey: input.templateId,
    inputs: input.inputs,
    idempotencyKey: input.idempotencyKey,
  });
  // A repeated expansion is harmless (one pipeline per input index); the sweep expands if Redis is down.
  await enqueue(batchExpandJob, { batchId }, { jobId: `pipeline-batch-expand-${batchId}` }).catch((err: unknown) =>
    logger.warn({ err, batchId }, "batch expansion not enqueued; the pipeline sweep will expand it"),
  );
  return { id: batchId, created };
}

/** Cancels a running pipeline: its open steps' tasks (their runs stopped), then the live updates and the batch's counts. */
export async function cancelPipeline(actor: PipelineActor, input: { id: string }) {
  const canceled = await cancelPipelineDomain(db, actor, { id: input.id, now: new Date() });
  await stopRunsOfCanceledTasks(canceled.runIds);
  await afterTaskChanges(canceled.changes);
  await publishPipeline(canceled.pipelineId);
  if (canceled.batchId) await publishBatch(canceled.batchId);
  return { id: canceled.pipelineId, status: "canceled" as const, canceledTaskIds: canceled.changes.map((c) => c.id) };
}

/** The hook for any change of a task: moves its pipeline on, if it is a pipeline's step. */
export async function pipelineTaskChanged(taskId: string): Promise<void> {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { pipelineId: true } });
  if (task?.pipelineId) await advanceNow(task.pipelineId);
}
