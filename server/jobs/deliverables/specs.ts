// The names, payloads and options of the deliverable jobs, apart from their handlers: commands
// enqueue them from here without importing the handlers (which call those commands back).
import { z } from "zod";
import type { JobsOptions } from "bullmq";

/** One SLA clock's check at one of its thresholds (job ids sla-<id>-risk and sla-<id>-due). */
export const slaCheckJobSpec = {
  name: "sla-check",
  schema: z.object({ slaId: z.string().min(1) }),
  jobOptions: {
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  } as JobsOptions,
};

export const slaCheckJobIds = (slaId: string) => ({ risk: `sla-${slaId}-risk`, due: `sla-${slaId}-due` });
