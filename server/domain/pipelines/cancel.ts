// pipeline.cancel: a running pipeline stops where it is, in one transaction under its row lock (the
// lock advancing takes, so no step starts meanwhile). Each step's task that has not ended is canceled
// the way task.cancel cancels one (tasks.ts cancelTaskIn): a builtin agent's live attempt ends and
// its run is returned for the command to stop, an external agent's attempt ends (its late result is
// refused), a waiting external service job is closed; then the pipeline is canceled.
import { inTransaction, type DbClient } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { cancelTaskIn, type TaskChange } from "../tasks/tasks";
import { requireWork } from "../work-access";
import type { PipelineActor } from "./access";

export const PIPELINE_CANCELED_ERROR = "canceled: its pipeline was canceled";

export interface CanceledPipeline {
  pipelineId: string;
  workspaceId: string;
  batchId: string | null;
  changes: TaskChange[];
  /** Runs of builtin agents' attempts, to be stopped once this has committed. */
  runIds: string[];
}

export async function cancelPipeline(db: DbClient, actor: PipelineActor, input: { id: string; now: Date }): Promise<CanceledPipeline> {
  const found = await db.pipeline.findUnique({ where: { id: input.id }, select: { workspaceId: true } });
  if (!found) throw new AppError("NOT_FOUND", "no pipeline with that id among your workspaces", { field: "id" });
  await requireWork(db, { workspaceId: found.workspaceId, userId: actor.userId, permission: "editWork", field: "id", what: "pipeline" });
  return inTransaction(db, async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string; batchId: string | null }[]>`
      SELECT status::text AS status, "batchId" FROM pipelines WHERE id = ${input.id} FOR UPDATE`;
    if (locked!.status !== "running") {
      throw new AppError("INVALID_TRANSITION", `the pipeline already ended (${locked!.status})`, { field: "id" });
    }
    // A render (or other service) job still open ends here (locked before the
    // tasks, in the order ending a job takes them): its webhook or next poll then changes nothing.
    await tx.pipelineExternalJob.updateMany({
      where: { pipelineId: input.id, status: { in: ["starting", "waiting"] } },
      data: { status: "failed", error: "its pipeline was canceled", finishedAt: input.now },
    });
    const open = await tx.task.findMany({
      where: { pipelineId: input.id, status: { notIn: ["done", "failed", "canceled"] } },
      select: { id: true },
      orderBy: { createdAt: "asc" },
    });
    const result: CanceledPipeline = {
      pipelineId: input.id,
      workspaceId: found.workspaceId,
      batchId: locked!.batchId,
      changes: [],
      runIds: [],
    };
    for (const task of open) {
      const canceled = await cancelTaskIn(tx, { taskId: task.id, now: input.now, error: PIPELINE_CANCELED_ERROR });
      if (canceled.refused) continue;
      result.changes.push(canceled.change);
      result.runIds.push(...canceled.runIds);
    }
    await tx.pipeline.update({
      where: { id: input.id },
      data: { status: "canceled", finishedAt: input.now, error: "canceled" },
    });
    return result;
  });
}
