// Runs a run's verifier inside its sandbox and ends the run on what it measured. A job (id
// verify-<runId>) rather than work inside the bridge request, because a verifier (a test suite)
// may take minutes. While it runs the run stays live with verifyRequestedAt set: the idle sweep
// leaves it alone, expiry enqueues this same job (deduplicated by id), and the lifecycle sweep
// fails a verification that never finished.
import { z } from "zod";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { isLiveRun } from "@shared/run-status";
import { lastNumberPrinted, verifiedEnd, type VerifyTrigger } from "../../domain/runs/verification";
import { enqueue } from "../queues";
import { providerFor } from "./provider-for";
import { stopRun } from "../../commands/stop-run";

export const verifyJob = defineJob({
  name: "sandbox-verify",
  schema: acceptFormerNames(z.object({ runId: z.string(), trigger: z.enum(["completed", "deadline"]) }), FORMER_RUN_ID),
  jobOptions: { attempts: 3, backoff: { type: "exponential", delay: 2000 } },
  handle({ runId, trigger }, job) {
    return verifyRun(runId, trigger, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
  },
});

export function enqueueVerify(runId: string, trigger: VerifyTrigger) {
  return enqueue(verifyJob, { runId, trigger }, { jobId: `verify-${runId}` });
}

export async function verifyRun(runId: string, trigger: VerifyTrigger, opts: { lastAttempt: boolean } = { lastAttempt: true }) {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { status: true, verifier: true, provider: true, providerId: true, targetValue: true },
  });
  if (!run || !isLiveRun(run.status) || !run.verifier) return { skipped: true };
  // The last number printed counts whatever the exit status (a test runner that exits 1 still
  // printed how many tests passed); a verifier killed by its timeout, or not run, measured nothing.
  let output: string;
  let measured: number | null = null;
  if (!run.providerId) output = "the run has no sandbox to run its verifier in";
  else {
    try {
      const result = await providerFor(run.provider).exec(run.providerId, run.verifier, { timeoutMs: config.VERIFY_TIMEOUT_MS });
      output = result.output;
      if (result.exitCode !== null) measured = lastNumberPrinted(output);
    } catch (err) {
      // A provider hiccup is retried; on the last attempt the run is simply not verified.
      if (!opts.lastAttempt) throw err;
      logger.warn({ err, runId }, "the verifier could not be run; the run ends unverified");
      output = `the verifier could not be run: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const end = verifiedEnd(measured, run.targetValue, trigger);
  return stopRun(runId, { ...end, set: { verifierOutput: output, verifiedProgress: measured, verifiedAt: new Date() } });
}
