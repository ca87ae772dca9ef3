// A pipeline step's external asynchronous job, one row per attempt (shared/pipeline-status.ts):
// recorded `starting` before the service is called (so a crash between the call and its record
// re-sends the same idempotency key — the row id — and the service answers with the same job),
// `waiting` once the service has given its id, then ended exactly once, whichever of the webhook,
// a poll or the timeout gets there first (a guarded update on the row's lock). A failed or timed
// out attempt is followed by the next one after a backoff, up to the step's attempts; after the
// last the step's task fails, which stops its dependents (advance.ts).
import type { DbClient, Prisma } from "../../lib/db";
import { inTransaction } from "../../lib/db";
import type { ExternalJobSource } from "@shared/pipeline-status";

export const externalJobSelect = {
  id: true,
  pipelineId: true,
  taskId: true,
  attempt: true,
  maxAttempts: true,
  service: true,
  externalId: true,
  status: true,
  startAfter: true,
  timeoutAt: true,
  pollEveryMs: true,
  nextPollAt: true,
  polls: true,
} satisfies Prisma.PipelineExternalJobSelect;

/** What the start job sends the service: the pipeline input and the outputs of the step's dependencies. */
export async function externalJobInput(db: DbClient, externalJobId: string) {
  const job = await db.pipelineExternalJob.findUniqueOrThrow({
    where: { id: externalJobId },
    select: {
      pipeline: { select: { id: true, input: true } },
      task: {
        select: {
          stepKey: true,
          description: true,
          dependsOn: { select: { dependsOn: { select: { stepKey: true, resultSummary: true, resultOutput: true } } } },
        },
      },
    },
  });
  return {
    pipelineId: job.pipeline.id,
    step: job.task.stepKey,
    instructions: job.task.description,
    input: job.pipeline.input,
    from: Object.fromEntries(
      job.task.dependsOn.map(({ dependsOn: d }) => [d.stepKey ?? "task", { summary: d.resultSummary, output: d.resultOutput }]),
    ),
  };
}

/** The service accepted the job: record its id and when to poll first. False if the attempt is no longer starting. */
export async function recordExternalJobAccepted(db: DbClient, id: string, externalId: string, now = new Date()): Promise<boolean> {
  const row = await db.pipelineExternalJob.findUniqueOrThrow({ where: { id }, select: { pollEveryMs: true } });
  const { count } = await db.pipelineExternalJob.updateMany({
    where: { id, status: "starting" },
    data: { status: "waiting", externalId, nextPollAt: new Date(now.getTime() + row.pollEveryMs) },
  });
  return count === 1;
}

/** A poll found the job still running: when to poll next. */
export async function recordExternalJobPolled(db: DbClient, id: string, now = new Date()) {
  const row = await db.pipelineExternalJob.findUniqueOrThrow({ where: { id }, select: { pollEveryMs: true, status: true } });
  if (row.status !== "waiting") return null;
  return db.pipelineExternalJob.update({
    where: { id },
    data: { nextPollAt: new Date(now.getTime() + row.pollEveryMs), polls: { increment: 1 } },
    select: { polls: true, nextPollAt: true, pollEveryMs: true },
  });
}

export interface ExternalJobEnd {
  outcome: "succeeded" | "failed" | "timed_out";
  source: ExternalJobSource;
  output?: Prisma.InputJsonValue;
  error?: string;
}

export interface ExternalJobEndResult {
  /** False when the attempt had already ended (a replayed webhook, a late poll): nothing changed. */
  acted: boolean;
  pipelineId: string;
  taskId: string;
  /** The next attempt recorded after this one failed, and when it may start. */
  nextAttempt: { id: string; startAfter: Date } | null;
  /** The step's task ended: done, or failed after its last attempt. */
  taskEnded: "done" | "failed" | null;
}

/** Before attempt n + 1: 2 s × 2^(n-1) (in the template's seconds, see EXTERNAL_JOB_SECOND_MS). */
const RETRY_BACKOFF_SECONDS = 2;

/** Ends an open attempt once; later calls for the same attempt change nothing. */
export async function endExternalJob(
  db: DbClient,
  id: string,
  end: ExternalJobEnd,
  opts: { now?: Date; secondMs?: number } = {},
): Promise<ExternalJobEndResult> {
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "pipeline_external_jobs" WHERE "id" = ${id} FOR UPDATE`;
    const job = await tx.pipelineExternalJob.findUniqueOrThrow({
      where: { id },
      select: { ...externalJobSelect, createdAt: true, task: { select: { startedAt: true } } },
    });
    const result: ExternalJobEndResult = {
      acted: false,
      pipelineId: job.pipelineId,
      taskId: job.taskId,
      nextAttempt: null,
      taskEnded: null,
    };
    if (job.status !== "starting" && job.status !== "waiting") return result;
    result.acted = true;
    await tx.pipelineExternalJob.update({
      where: { id },
      data: {
        status: end.outcome,
        completedBy: end.source,
        finishedAt: now,
        ...(end.output === undefined ? {} : { output: end.output }),
        ...(end.error === undefined ? {} : { error: end.error.slice(0, 2_000) }),
      },
    });
    const durationMs = job.task.startedAt ? now.getTime() - job.task.startedAt.getTime() : 0;
    if (end.outcome === "succeeded") {
      const url = (end.output as { url?: unknown } | undefined)?.url;
      const { count } = await tx.task.updateMany({
        where: { id: job.taskId, status: "running" },
        data: {
          status: "done",
          resultSummary: typeof url === "string" ? `${job.service} finished: ${url}` : `${job.service} finished`,
          resultOutput: end.output ?? {},
          error: null,
          finishedAt: now,
          durationMs,
          attemptCount: job.attempt,
        },
      });
      if (count === 1) result.taskEnded = "done";
      return result;
    }
    if (job.attempt < job.maxAttempts) {
      const startAfter = new Date(now.getTime() + RETRY_BACKOFF_SECONDS * (opts.secondMs ?? 1_000) * 2 ** (job.attempt - 1));
      const timeoutMs = job.timeoutAt.getTime() - job.startAfter.getTime();
      const next = await tx.pipelineExternalJob.create({
        data: {
          pipelineId: job.pipelineId,
          taskId: job.taskId,
          attempt: job.attempt + 1,
          maxAttempts: job.maxAttempts,
          service: job.service,
          startAfter,
          timeoutAt: new Date(startAfter.getTime() + timeoutMs),
          pollEveryMs: job.pollEveryMs,
        },
        select: { id: true },
      });
      result.nextAttempt = { id: next.id, startAfter };
      return result;
    }
    const { count } = await tx.task.updateMany({
      where: { id: job.taskId, status: "running" },
      data: {
        status: "failed",
        error:
          `${job.service} job ${end.outcome === "timed_out" ? "timed out" : "failed"} after ${job.attempt} attempt(s)${end.error ? `: ${end.error}` : ""}`.slice(
            0,
            2_000,
          ),
        finishedAt: now,
        durationMs,
        attemptCount: job.attempt,
      },
    });
    if (count === 1) result.taskEnded = "failed";
    return result;
  });
}

export function findExternalJobByExternalId(db: DbClient, service: string, externalId: string) {
  return db.pipelineExternalJob.findUnique({ where: { service_externalId: { service, externalId } }, select: externalJobSelect });
}

export function findExternalJob(db: DbClient, id: string) {
  return db.pipelineExternalJob.findUnique({ where: { id }, select: externalJobSelect });
}

/**
 * For the backstop sweep: attempts that should have started, polls that are overdue, and waits past
 * their timeout (`graceMs` leaves the regular jobs their chance first).
 */
export async function overdueExternalJobs(db: DbClient, now: Date, graceMs: number) {
  const before = new Date(now.getTime() - graceMs);
  const [toStart, toPoll] = await Promise.all([
    db.pipelineExternalJob.findMany({ where: { status: "starting", startAfter: { lte: before } }, select: { id: true }, take: 500 }),
    db.pipelineExternalJob.findMany({
      where: { status: "waiting", OR: [{ nextPollAt: { lte: before } }, { timeoutAt: { lte: now } }] },
      select: { id: true },
      take: 500,
    }),
  ]);
  return { toStart: toStart.map((r) => r.id), toPoll: toPoll.map((r) => r.id) };
}
