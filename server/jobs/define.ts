// A job is a definition: a name, a zod payload schema, a handler calling domain functions, and
// its retry policy. Callers pass a job id built from the business key (launch-<runId>,
// settle-<poolId>: BullMQ refuses ':' in custom ids) so enqueueing the same work twice is
// harmless; handlers check state before acting.
import type { Job, JobsOptions } from "bullmq";
import type { z } from "zod";

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
