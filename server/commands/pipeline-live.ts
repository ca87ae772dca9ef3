// Live updates of pipelines and batches, to the members of their workspace. Shared by the
// pipeline commands, the pipeline jobs and the sweep, after their changes have committed.
import { db } from "../lib/db";
import { live } from "../realtime/emit";
import { refreshBatchCounts } from "../domain/pipelines/batches";

export async function publishPipeline(pipelineId: string) {
  const p = await db.pipeline.findUnique({
    where: { id: pipelineId },
    select: { id: true, projectId: true, workspaceId: true, status: true, failedStepKey: true },
  });
  if (!p) return;
  live.workspace(p.workspaceId, "pipeline:update", {
    pipelineId: p.id,
    projectId: p.projectId,
    status: p.status,
    failedStepKey: p.failedStepKey,
  });
}

/** Recomputes the batch's counts; tells the members when they changed. */
export async function publishBatch(batchId: string) {
  const state = await refreshBatchCounts(db, batchId);
  if (state.changed) {
    live.workspace(state.workspaceId, "batch:update", {
      batchId,
      projectId: state.projectId,
      status: state.status,
      counts: state.counts,
    });
  }
  return state;
}
