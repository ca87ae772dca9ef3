// Ends a run when its duration is over (a delayed job at expiresAt; the sweep is the backstop).
// The one place a deadline is decided: a run with a verifier is measured by it first (the verify
// job); any other run succeeds if its progress reached the target (transitionRun), else expires.
import { z } from "zod";
import { defineJob } from "../define";
import { db } from "../../lib/db";
import { isStartedRun } from "@shared/run-status";
import { stopRun } from "../../commands/stop-run";
import { enqueueVerify } from "./verify";

export const expireJob = defineJob({
  name: "sandbox-expire",
  schema: z.object({ sandboxId: z.string() }),
  async handle({ sandboxId }) {
    const run = await db.sandbox.findUnique({ where: { id: sandboxId }, select: { expiresAt: true } });
    if (run?.expiresAt && run.expiresAt.getTime() > Date.now() + 1000) return { early: true };
    return expireRun(sandboxId);
  },
});

export async function expireRun(sandboxId: string) {
  const run = await db.sandbox.findUnique({ where: { id: sandboxId }, select: { status: true, verifier: true } });
  if (!run || !isStartedRun(run.status)) return { skipped: true };
  // Deduplicated by id with a verification the agent's completion already asked for.
  if (run.verifier && run.status === "running") {
    // Marked verifying (so the sweep's backstop applies if the job is lost), then measured.
    await db.sandbox.updateMany({ where: { id: sandboxId, verifyRequestedAt: null }, data: { verifyRequestedAt: new Date() } });
    await enqueueVerify(sandboxId, "deadline");
    return { verifying: true };
  }
  return stopRun(sandboxId, { to: "expired", reason: "duration elapsed" });
}
