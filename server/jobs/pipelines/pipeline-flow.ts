// How a pipeline moves between its jobs, in one module because each step may call for the next:
// advancing a pipeline (after any change of one of its tasks) may start an external step; an
// external job attempt is started at the service, polled (or ended by its webhook), retried, and
// its end advances the pipeline; a batch's pipelines are made, each then advanced. Every function
// here acts on state in PostgreSQL and is safe to repeat, so the sweep (pipeline-sweep.job.ts)
// can call the same ones after a crash.
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { defineJob } from "../define";
import { enqueue } from "../queues";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { advancePipeline, type AdvanceResult } from "../../domain/pipelines/advance";
import { expandBatch } from "../../domain/pipelines/batches";
import type { StartedPipeline } from "../../domain/pipelines/start";
import {
  endExternalJob,
  externalJobInput,
  findExternalJob,
  recordExternalJobAccepted,
  recordExternalJobPolled,
  type ExternalJobEnd,
  type ExternalJobEndResult,
} from "../../domain/pipelines/external-jobs";
import { getRenderJob, RenderServiceError, startRenderJob } from "../../providers/render-service";
import { publishBatch, publishPipeline } from "../../commands/pipeline-live";
import { afterTaskChanges } from "../../commands/task-effects";
import { onTaskChanges } from "../../commands/task-change-hooks";
import { changeSelect } from "../../domain/tasks/tasks";
import { config } from "../../config";
import { renderCallbackUrl, renderServiceConfig } from "./render-config";

const timing = () => ({ secondMs: config.EXTERNAL_JOB_SECOND_MS });

// ── advancing ──

/** Live updates and a dispatcher wake-up for tasks a pipeline created or changed (the core's path for every task change). */
async function tasksChanged(taskIds: string[]) {
  if (taskIds.length === 0) return;
  await afterTaskChanges(await db.task.findMany({ where: { id: { in: taskIds } }, select: changeSelect }));
}

// Every change of a pipeline step's task advances its pipeline.
onTaskChanges(async (changes) => {
  // A change known to be no pipeline's step (pipelineId null, e.g. an external agent's result) needs no look.
  const steps = changes.filter((c) => c.pipelineId !== null);
  if (steps.length === 0) return;
  const rows = await db.task.findMany({
    where: { id: { in: steps.map((c) => c.id) }, pipelineId: { not: null } },
    select: { pipelineId: true },
    distinct: ["pipelineId"],
  });
  // New tasks move no batch count (pending either way): a batch's 1,000 new tasks cost no recount. A task
  // started, ended, or back to ready after an attempt (a retry) may move its pipeline between pending and running.
  const countsMayMove = changes.some((c) => (c.status !== "ready" && c.status !== "backlog") || c.attemptCount > 0);
  for (const r of rows) await advanceNow(r.pipelineId!, { recountBatch: countsMayMove });
});

/** After pipelines were made: their tasks' task:update and a dispatcher wake-up; the hook then advances each (starting a first external step). */
export async function afterPipelinesCreated(started: StartedPipeline[]) {
  await tasksChanged(started.flatMap((s) => Object.values(s.taskIds)));
}

/** Advances the pipeline and sends what follows from it. */
export async function advanceNow(pipelineId: string, opts: { recountBatch?: boolean } = {}): Promise<AdvanceResult | null> {
  const result = await advancePipeline(db, pipelineId, timing());
  if (!result) return null;
  for (const id of result.externalJobIds) await enqueueExternalStart(id, 0);
  // Their task:update; advancing again from the hook finds nothing more to do.
  await tasksChanged([...result.canceledTaskIds, ...result.startedTaskIds]);
  // Any change of a step (a task started, ended, was stopped) may move the batch's counts.
  await publishPipeline(result.pipelineId);
  const moved = result.canceledTaskIds.length + result.startedTaskIds.length > 0 || result.ended !== null;
  if (result.batchId && (moved || opts.recountBatch !== false)) await publishBatch(result.batchId);
  return result;
}

// ── external jobs ──

export async function enqueueExternalStart(externalJobId: string, delayMs: number) {
  await enqueue(externalStartJob, { externalJobId }, { jobId: `pipeline-external-start-${externalJobId}`, delay: delayMs }).catch(
    (err: unknown) => logger.warn({ err, externalJobId }, "external job start not enqueued; the pipeline sweep will start it"),
  );
}

async function enqueuePoll(externalJobId: string, pollNumber: number, delayMs: number) {
  await enqueue(
    externalPollJob,
    { externalJobId },
    { jobId: `pipeline-external-poll-${externalJobId}-${pollNumber}`, delay: delayMs },
  ).catch(() => {
    /* the pipeline sweep polls overdue attempts */
  });
}

/** After an attempt ended: the next attempt, or the step's end and the pipeline's advance. */
/** Ends an attempt (the webhook's path) with the configured timings, then its effects. */
export async function endExternalJobNow(id: string, end: ExternalJobEnd) {
  const result = await endExternalJob(db, id, end, timing());
  await afterExternalJobEnded(result);
  return result;
}

export async function afterExternalJobEnded(end: ExternalJobEndResult) {
  if (!end.acted) return;
  if (end.nextAttempt) await enqueueExternalStart(end.nextAttempt.id, Math.max(0, end.nextAttempt.startAfter.getTime() - Date.now()));
  // The step's task ended: its task:update, and the hook advances the pipeline.
  if (end.taskEnded) await tasksChanged([end.taskId]);
  await publishPipeline(end.pipelineId);
}

/**
 * Starts an attempt at the service. Its row id is the service's idempotency key, so a retry after
 * a crash between the call and its record gets the same job back, not a second render. A refusal
 * that will not change (bad request, no service configured), or the last try's failure, ends the
 * attempt; a network error or 5xx before that is retried by BullMQ.
 */
export async function startExternalJob(externalJobId: string, lastTry = true): Promise<string> {
  const ext = await findExternalJob(db, externalJobId);
  if (!ext || ext.status !== "starting") return "not starting";
  const fail = async (error: string) => {
    await afterExternalJobEnded(await endExternalJob(db, externalJobId, { outcome: "failed", source: "poll", error }, timing()));
    return "failed";
  };
  const service = renderServiceConfig();
  if (!service) return fail("no render service is configured (RENDER_SERVICE_URL)");
  let accepted;
  try {
    accepted = await startRenderJob(service, {
      idempotencyKey: externalJobId,
      input: await externalJobInput(db, externalJobId),
      callbackUrl: renderCallbackUrl(),
    });
  } catch (e) {
    if (e instanceof RenderServiceError && (!e.retryable || lastTry)) return fail(e.message);
    throw e instanceof Error ? e : new UnrecoverableError(String(e));
  }
  await recordExternalJobAccepted(db, externalJobId, accepted.id);
  await enqueuePoll(externalJobId, 0, ext.pollEveryMs);
  return "started";
}

/**
 * Asks the service for a waiting attempt's status: a finished job ends the attempt (source "poll"),
 * past its timeout the attempt times out, otherwise the next poll is scheduled (a delayed job with
 * an id per poll). Whichever of poll and webhook comes first ends it; the other changes nothing.
 */
export async function pollExternalJob(externalJobId: string, now = new Date()): Promise<string> {
  const ext = await findExternalJob(db, externalJobId);
  if (!ext || ext.status !== "waiting" || !ext.externalId) return "not waiting";
  if (now >= ext.timeoutAt) {
    const seconds = Math.round((ext.timeoutAt.getTime() - ext.startAfter.getTime()) / 1000);
    await afterExternalJobEnded(
      await endExternalJob(
        db,
        externalJobId,
        { outcome: "timed_out", source: "timeout", error: `no result within ${seconds} s` },
        timing(),
      ),
    );
    return "timed out";
  }
  const service = renderServiceConfig();
  let job = null;
  if (service) {
    try {
      job = await getRenderJob(service, ext.externalId);
    } catch (e) {
      // Briefly unreachable: poll again later; the timeout still bounds the wait.
      if (!(e instanceof RenderServiceError)) throw e;
    }
  }
  if (job && (job.status === "succeeded" || job.status === "failed")) {
    const end = await endExternalJob(
      db,
      externalJobId,
      {
        outcome: job.status,
        source: "poll",
        ...(job.output ? { output: job.output } : {}),
        ...(job.error ? { error: job.error } : {}),
      },
      timing(),
    );
    await afterExternalJobEnded(end);
    return job.status;
  }
  const next = await recordExternalJobPolled(db, externalJobId, now);
  if (next)
    await enqueuePoll(externalJobId, next.polls, Math.min(next.pollEveryMs, Math.max(0, ext.timeoutAt.getTime() - now.getTime()) + 50));
  return "waiting";
}

export const externalStartJob = defineJob({
  name: "pipeline-external-start",
  schema: z.object({ externalJobId: z.string().min(1) }),
  concurrency: 10,
  jobOptions: { attempts: 5, backoff: { type: "exponential", delay: 2_000 } },
  async handle({ externalJobId }, job) {
    return startExternalJob(externalJobId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  },
});

export const externalPollJob = defineJob({
  name: "pipeline-external-poll",
  schema: z.object({ externalJobId: z.string().min(1) }),
  concurrency: 10,
  jobOptions: { attempts: 3, backoff: { type: "exponential", delay: 2_000 } },
  async handle({ externalJobId }) {
    return pollExternalJob(externalJobId);
  },
});

// ── batches ──

/** Makes a batch's missing pipelines (the expand job and the sweep); returns how many. */
export async function expandBatchNow(batchId: string): Promise<number> {
  const started = await expandBatch(db, batchId);
  await afterPipelinesCreated(started);
  await publishBatch(batchId);
  return started.length;
}

export const batchExpandJob = defineJob({
  name: "pipeline-batch-expand",
  schema: z.object({ batchId: z.string().min(1) }),
  concurrency: 2,
  async handle({ batchId }) {
    return { pipelines: await expandBatchNow(batchId) };
  },
});
