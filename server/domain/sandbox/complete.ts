// How runs end: the agent reports completion, a user cancels, the idle or expiry job stops it.
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";
import { transitionRun, type TransitionResult } from "./lifecycle";
import { cancelRefusal, type RunActor } from "@shared/run-rules";
import { readRunStanding } from "./standing";

export async function completeRun(
  db: Db,
  input: { sandboxId: string; outcome: "succeeded" | "failed"; summary?: string | undefined },
): Promise<TransitionResult> {
  if (input.outcome === "succeeded") {
    const run = await db.sandbox.findUnique({ where: { id: input.sandboxId }, select: { currentProgress: true, targetValue: true } });
    if (!run) throw new AppError("NOT_FOUND", "no run with that id");
    // Success means the goal was reached; progress exactly at the target counts.
    if (run.currentProgress < run.targetValue) {
      throw new AppError(
        "CONFLICT",
        `cannot report success: progress ${run.currentProgress} is below the target ${run.targetValue}; report progress first or complete as failed`,
        { field: "outcome" },
      );
    }
  }
  return transitionRun(db, {
    sandboxId: input.sandboxId,
    to: input.outcome,
    reason: input.outcome === "succeeded" ? "goal reached" : "reported by agent",
    summary: input.summary ?? null,
  });
}

/** Who may cancel: shared/run-rules.ts (the creator or an operator, never a bettor; after the lock, operators only). */
export async function assertCanCancel(db: Db, input: RunActor & { sandboxId: string }) {
  const run = await readRunStanding(db, { sandboxId: input.sandboxId, userId: input.userId });
  const refusal = cancelRefusal(input, run);
  if (refusal) throw new AppError("FORBIDDEN", refusal, { field: "id" });
}
