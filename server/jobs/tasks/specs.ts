// The names, payloads and options of the work jobs, apart from their handlers: commands enqueue
// them from here without importing the handlers (which call those commands back).
import { z } from "zod";
import type { JobsOptions } from "bullmq";
import { config } from "../../config";

export const dispatchJobSpec = {
  name: "task-dispatch",
  schema: z.object({}).passthrough(),
  // A wake-up's id frees as soon as it has run, so the next change's wake-up is not dropped as a duplicate.
  jobOptions: {
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600 },
    attempts: 3,
    backoff: { type: "exponential", delay: 1000 },
  } as JobsOptions,
};

export const deliverWebhookJobSpec = {
  name: "webhook-deliver",
  schema: z.object({ deliveryId: z.string() }),
  jobOptions: {
    attempts: config.WEBHOOK_DELIVERY_ATTEMPTS,
    backoff: { type: "exponential", delay: config.WEBHOOK_BACKOFF_MS },
  } as JobsOptions,
};
