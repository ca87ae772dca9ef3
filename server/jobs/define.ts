// A job is a definition: a name, a zod payload schema, a handler calling domain functions, and
// its retry policy. Callers pass a job id built from the business key (launch-<runId>,
// settle-<poolId>: BullMQ refuses ':' in custom ids) so enqueueing the same work twice is
// harmless; handlers check state before acting.
//
// Names and payloads outlive a deploy: delayed jobs (a run's expiry) and schedulers wait in Redis
// under their queue's name. So queues keep the names they were born with (the run jobs' still say
// sandbox-launch, sandbox-expire …: runs were once called sandboxes), and a payload field that
// is renamed keeps accepting its former name (acceptFormerNames in shared/schemas.ts).
import type { Job, JobsOptions } from "bullmq";
import { z } from "zod";

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  handle(data: z.infer<S>, job: Job): Promise<unknown>;
  concurrency?: number;
  jobOptions?: JobsOptions;
  /** Recurring schedule registered at worker boot with upsertJobScheduler. */
  every?: () => number;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

/** A recurring job without a payload (a sweep): one at a time, every `every()` ms, calling one command. */
export function defineSweep(name: string, every: () => number, handle: () => Promise<unknown>): JobDefinition {
  return { name, schema: z.object({}).passthrough(), concurrency: 1, every, handle };
}
