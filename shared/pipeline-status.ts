// Pipeline, batch and external-job statuses, and how a pipeline's phase follows from its steps'
// task statuses: the one rule the server (pipeline.get, batch counts) and the client both use.

export const PIPELINE_STATUSES = ["running", "succeeded", "failed", "canceled"] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

export const BATCH_STATUSES = ["running", "completed"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/**
 * An external job attempt: `starting` (recorded, not yet accepted by the service), `waiting` (the
 * service has it: its id is known), then `succeeded`, `failed` or `timed_out`.
 */
export const EXTERNAL_JOB_STATUSES = ["starting", "waiting", "succeeded", "failed", "timed_out"] as const;
export type ExternalJobStatus = (typeof EXTERNAL_JOB_STATUSES)[number];
export const isExternalJobOpen = (s: ExternalJobStatus): boolean => s === "starting" || s === "waiting";

/** How an external job's end became known. */
export const EXTERNAL_JOB_SOURCES = ["webhook", "poll", "timeout"] as const;
export type ExternalJobSource = (typeof EXTERNAL_JOB_SOURCES)[number];

/** The task statuses a pipeline step can be in (the task board's statuses). */
export type StepTaskStatus = "backlog" | "ready" | "running" | "review" | "done" | "failed" | "canceled";

/** Where a pipeline stands, as a batch counts it. */
export type PipelinePhase = "pending" | "running" | "done" | "failed";

/**
 * A pipeline is `done` when it succeeded, `failed` when it failed or was canceled, `pending` while
 * none of its steps has started, `running` otherwise.
 */
export function pipelinePhase(status: PipelineStatus, stepStatuses: readonly StepTaskStatus[]): PipelinePhase {
  if (status === "succeeded") return "done";
  if (status === "failed" || status === "canceled") return "failed";
  return stepStatuses.every((s) => s === "backlog" || s === "ready") ? "pending" : "running";
}

export interface BatchCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
}

export const emptyBatchCounts = (): BatchCounts => ({ pending: 0, running: 0, done: 0, failed: 0 });

/** A batch is complete when every one of its pipelines has ended. */
export const batchComplete = (total: number, counts: BatchCounts): boolean => counts.done + counts.failed >= total;
