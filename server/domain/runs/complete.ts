// How runs end: the agent reports completion, a user cancels, the idle or expiry job stops it.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { isTerminalRun } from "@shared/run-status";
import { assertTransition, transitionRun, type TransitionResult } from "./lifecycle";
import type { RunStatus } from "../../generated/prisma/enums";
import { cancelRefusal, maySteer, type RunActor } from "@shared/run-rules";
import { actorViewer, readRunStanding } from "./standing";

export type CompleteResult = { verifying: false; transition: TransitionResult } | { verifying: true; status: RunStatus };

/**
 * The agent reports it is done. A run with a verifier is not ended here: it is marked as
 * verifying and the caller enqueues the verify job, whose measurement decides the outcome
 * (whatever the agent claimed). Otherwise the agent's report ends the run.
 */
export async function completeRun(
  db: DbClient,
  input: { runId: string; outcome: "succeeded" | "failed"; summary?: string | undefined },
): Promise<CompleteResult> {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { status: true, currentProgress: true, targetValue: true, verifier: true, verifyRequestedAt: true },
  });
  if (!run) throw new AppError("NOT_FOUND", "no run with that id");
  if (run.verifier) {
    const marked = await db.run.updateMany({
      where: { id: input.runId, status: "running" },
      // The first report starts the clock of the sweep's backstop; repeating it does not reset it.
      data: { verifyRequestedAt: run.verifyRequestedAt ?? new Date(), ...(input.summary !== undefined ? { summary: input.summary } : {}) },
    });
    if (marked.count === 0) assertTransition(run.status, input.outcome);
    return { verifying: true, status: "running" };
  }
  // Success means the goal was reached; progress exactly at the target counts.
  if (input.outcome === "succeeded" && run.currentProgress < run.targetValue) {
    throw new AppError(
      "CONFLICT",
      `cannot report success: progress ${run.currentProgress} is below the target ${run.targetValue}; report progress first or complete as failed`,
      { field: "outcome" },
    );
  }
  const transition = await transitionRun(db, {
    runId: input.runId,
    to: input.outcome,
    reason: input.outcome === "succeeded" ? "goal reached" : "reported by agent",
    summary: input.summary ?? null,
  });
  return { verifying: false, transition };
}

/**
 * Who may cancel: a run the actor may not see is not found; then shared/run-rules.ts (the workspace's
 * members or an operator, never a bettor; after the lock, operators only).
 */
export async function assertCanCancel(db: DbClient, input: RunActor & { runId: string }) {
  const run = await readRunStanding(db, { runId: input.runId, viewer: actorViewer(input) });
  const refusal = cancelRefusal(input, run);
  // An ended run's pool is locked too; "it already ended" is the answer that helps, for anyone.
  if (refusal && isTerminalRun(run.status) && maySteer(input, run)) {
    throw new AppError("CONFLICT", `the run already ended (${run.status})`, { field: "id" });
  }
  if (refusal) throw new AppError("FORBIDDEN", refusal, { field: "id" });
}
