// Ends a run when its duration is over (a delayed job at expiresAt; the sweep is the backstop).
// The one place a deadline is decided: a run with a verifier is measured by it first (the verify
// job); any other run succeeds if its progress reached the target (transitionRun), else expires.
import { z } from "zod";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { defineJob } from "../define";
import { db } from "../../lib/db";
import { isStartedRun } from "@shared/run-status";
import { stopRun } from "../../commands/stop-run";
import { enqueueVerify } from "./verify";

export const expireJob = defineJob({
  name: "sandbox-expire",
  schema: acceptFormerNames(z.object({ runId: z.string() }), FORMER_RUN_ID),
  async handle({ runId }) {
    const run = await db.run.findUnique({ where: { id: runId }, select: { expiresAt: true } });
    if (run?.expiresAt && run.expiresAt.getTime() > Date.now() + 1000) return { early: true };
    return expireRun(runId);
  },
});

export async function expireRun(runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, verifier: true } });
  if (!run || !isStartedRun(run.status)) return { skipped: true };
  // Deduplicated by id with a verification the agent's completion already asked for.
  if (run.verifier && run.status === "running") {
    // Marked verifying (so the sweep's backstop applies if the job is lost), then measured.
    await db.run.updateMany({ where: { id: runId, verifyRequestedAt: null }, data: { verifyRequestedAt: new Date() } });
    await enqueueVerify(runId, "deadline");
    return { verifying: true };
  }
  return stopRun(runId, { to: "expired", reason: "duration elapsed" });
}
