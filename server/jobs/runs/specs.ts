// The names, payloads and options of the run jobs that commands enqueue, apart from their handlers:
// server/commands/ enqueues them from here without importing the handlers (which call those
// commands back). Queue names keep their first spelling (server/jobs/define.ts).
import { z } from "zod";
import type { JobsOptions } from "bullmq";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { config } from "../../config";

const runPayload = acceptFormerNames(z.object({ runId: z.string() }), FORMER_RUN_ID);

/** Provision → upload → start → mark running (jobId launch-<runId>). */
export const launchJobSpec = {
  name: "sandbox-launch",
  schema: runPayload,
  jobOptions: { attempts: config.LAUNCH_ATTEMPTS, backoff: { type: "exponential", delay: config.LAUNCH_BACKOFF_MS } } as JobsOptions,
};

/** A run's deadline, delayed to its expiresAt (jobId expire-<runId>). */
export const expireJobSpec = { name: "sandbox-expire", schema: runPayload };

/** Removes an ended run's sandbox (jobId finalize-<runId>). */
export const finalizeJobSpec = {
  name: "sandbox-finalize",
  schema: runPayload,
  jobOptions: { attempts: 5, backoff: { type: "exponential", delay: 2000 } } as JobsOptions,
};

/** Runs a run's verifier and ends the run on what it measured (jobId verify-<runId>). */
export const verifyJobSpec = {
  name: "sandbox-verify",
  schema: acceptFormerNames(z.object({ runId: z.string(), trigger: z.enum(["completed", "deadline"]) }), FORMER_RUN_ID),
  jobOptions: { attempts: 3, backoff: { type: "exponential", delay: 2000 } } as JobsOptions,
};
