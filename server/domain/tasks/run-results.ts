// A builtin agent's attempt ends with its run: the run's outcome, summary, progress and artifacts
// become the attempt's result (server/domain/tasks/attempts.ts decides what the task does next).
import type { DbClient } from "../../lib/db";
import { isTerminalRun } from "@shared/run-status";
import { finishAttempt, type AttemptOutcome, type FinishedAttempt } from "./attempts";
import { llmUsageOfRuns } from "../llm/usage";

export async function finishAttemptOfRun(
  db: DbClient,
  input: { runId: string; now: Date; retryBackoffMs: number },
): Promise<FinishedAttempt | null> {
  const attempt = await db.taskAttempt.findUnique({ where: { runId: input.runId }, select: { id: true, status: true } });
  if (!attempt || (attempt.status !== "launching" && attempt.status !== "running")) return null;
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: {
      id: true,
      status: true,
      summary: true,
      error: true,
      statusReason: true,
      metric: true,
      currentProgress: true,
      targetValue: true,
      verifiedProgress: true,
      creditsSpent: true,
      artifacts: { select: { id: true, filename: true, contentType: true, size: true, kind: true }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!run || !isTerminalRun(run.status)) return null;
  const outcome: AttemptOutcome = run.status === "succeeded" ? "succeeded" : run.status === "canceled" ? "canceled" : "failed";
  const progress = run.verifiedProgress ?? run.currentProgress;
  // The tokens of the run's LLM calls (counted on the attempt as they were made).
  const tokensUsed = (await llmUsageOfRuns(db, { runIds: [run.id] })).get(run.id)?.totalTokens ?? 0;
  return finishAttempt(db, {
    attemptId: attempt.id,
    now: input.now,
    retryBackoffMs: input.retryBackoffMs,
    result: {
      outcome,
      summary: run.summary ?? `${run.metric}: ${progress} of ${run.targetValue}`,
      output: { runId: run.id, metric: run.metric, progress, targetValue: run.targetValue },
      artifacts: run.artifacts.map((a) => ({ ...a, runId: run.id, url: `/api/artifacts/${a.id}` })),
      error: outcome === "succeeded" ? null : (run.error ?? run.statusReason ?? `the run ended ${run.status}`),
      costCents: run.creditsSpent,
      tokensUsed,
    },
  });
}
