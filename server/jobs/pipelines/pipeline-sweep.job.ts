// The pipelines' backstop, every PIPELINE_SWEEP_EVERY_MS: whatever a crash, a lost job or a Redis
// outage left undone is done here directly (not by enqueueing a job id BullMQ may still remember as
// completed): running pipelines are advanced, overdue external job attempts started or polled (or
// timed out), unfinished batch expansions completed and running batches' counts refreshed.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { runningPipelineIds } from "../../domain/pipelines/advance";
import { overdueExternalJobs } from "../../domain/pipelines/external-jobs";
import { batchesToExpand } from "../../domain/pipelines/batches";
import { publishBatch } from "../../commands/pipeline-live";
import { advanceNow, expandBatchNow, pollExternalJob, startExternalJob } from "./pipeline-flow";

export const pipelineSweepJob = defineJob({
  name: "pipeline-sweep",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.PIPELINE_SWEEP_EVERY_MS,
  async handle() {
    return sweepPipelines();
  },
});

export async function sweepPipelines(now = new Date()) {
  const tally = { advanced: 0, started: 0, polled: 0, expanded: 0, failed: 0 };
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      // One broken pipeline must not stop the others; it is tried again next sweep.
      tally.failed += 1;
      logger.error({ err }, `pipeline sweep: ${what} failed`);
    }
  };
  for (const batchId of await batchesToExpand(db))
    await attempt("expanding a batch", async () => (tally.expanded += await expandBatchNow(batchId)));
  for (const id of await runningPipelineIds(db))
    await attempt("advancing a pipeline", async () => (await advanceNow(id)) && tally.advanced++);
  const overdue = await overdueExternalJobs(db, now, config.PIPELINE_SWEEP_EVERY_MS);
  for (const id of overdue.toStart)
    await attempt("starting an external job", async () => (await startExternalJob(id)) === "started" && tally.started++);
  for (const id of overdue.toPoll) await attempt("polling an external job", async () => (await pollExternalJob(id, now)) && tally.polled++);
  const running = await db.pipelineBatch.findMany({ where: { status: "running" }, select: { id: true }, take: 200 });
  for (const b of running) await attempt("counting a batch", () => publishBatch(b.id));
  return tally;
}
