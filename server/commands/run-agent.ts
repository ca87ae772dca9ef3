// What a run's agent does through the bridge (server/bridge/routes.ts parses each request and calls
// one of these): each records the agent's report through the domain, then sends its effects — the
// run's live messages, the jobs its start, end or verification needs — once it has committed.
import { db } from "../lib/db";
import { pgPool } from "../lib/pg";
import { AppError } from "../lib/errors";
import { logger } from "../lib/logger";
import { hashToken } from "../lib/passwords";
import { isStartedRun } from "@shared/run-status";
import { runForBridgeToken, stampRunActivity, type BridgeRun } from "../domain/runs/bridge-sql";
import { appendEvents } from "../domain/runs/events-sql";
import type { EventInput, StoredEvent } from "../domain/runs/events";
import { markRunning } from "../domain/runs/start";
import { runForAgent } from "../domain/runs/queries";
import { recordProgress } from "../domain/runs/progress";
import * as credits from "../domain/runs/credits";
import * as prompts from "../domain/runs/prompts";
import { recordEmail, recordPayment } from "../domain/runs/outbound";
import { storeArtifact, type StoreArtifactInput } from "../domain/runs/artifacts";
import { completeRun } from "../domain/runs/complete";
import { listenForPrompt } from "../bridge/prompt-signal";
import { afterProgress, afterRunStarted, afterTransition, publishEvents } from "./run-effects";
import { enqueueVerify } from "./run-lifecycle";

/**
 * The run a bridge token opens, for the run named in the path. Valid only while the run is booting
 * or running; an agent reporting in while its run is booting proves it started, so the run is
 * running from then on.
 */
export async function authenticateAgent(input: { token: string; runId: string }): Promise<BridgeRun> {
  const run = await runForBridgeToken(pgPool(), hashToken(input.token));
  if (!run) throw new AppError("UNAUTHORIZED", "invalid or expired bridge token");
  if (run.id !== input.runId) throw new AppError("FORBIDDEN", "this token belongs to another run");
  if (!isStartedRun(run.status)) throw new AppError("FORBIDDEN", `the run is ${run.status}; its token is no longer valid`);
  if (run.status === "booting") {
    const started = await markRunning(db, run.id);
    if (started) await afterRunStarted(started);
    return { ...run, status: "running" };
  }
  return run;
}

/** The agent was heard from (the idle sweep reads it). */
export async function heartbeat(runId: string): Promise<void> {
  await stampRunActivity(pgPool(), runId);
}

export async function readRunForAgent(runId: string) {
  const run = await runForAgent(db, runId);
  await heartbeat(runId);
  return run;
}

export async function reportEvents(runId: string, events: EventInput[]): Promise<StoredEvent[]> {
  const stored = await appendEvents(pgPool(), runId, events, { requireActive: true });
  publishEvents(stored);
  return stored;
}

export async function reportProgress(input: { runId: string; value: number; note?: string }) {
  const result = await recordProgress(db, input);
  await afterProgress(input.runId, result);
  return result;
}

export function uploadArtifact(input: StoreArtifactInput) {
  return storeArtifact(db, input);
}

type DeliveredPrompt = { id: string; text: string; createdAt: Date };

/**
 * The run's pending prompts, delivered; with none pending, waits up to `waitMs` for one (woken by
 * submitPrompt's signal), or until `signal` aborts (the agent hung up).
 */
export async function waitForPrompts(runId: string, input: { waitMs: number; signal: AbortSignal }): Promise<DeliveredPrompt[]> {
  await heartbeat(runId);
  const deadline = Date.now() + input.waitMs;
  for (;;) {
    const remaining = deadline - Date.now();
    const listener = remaining > 0 ? await listenForPrompt(runId, remaining, input.signal) : null;
    try {
      const pending = await prompts.claimPendingPrompts(db, runId);
      if (pending.length > 0 || !listener || input.signal.aborted) return pending;
      await listener.woken;
    } finally {
      await listener?.done();
    }
    if (Date.now() >= deadline || input.signal.aborted) return prompts.claimPendingPrompts(db, runId);
  }
}

export async function acknowledgePrompt(input: { runId: string; promptId: string; response?: string }) {
  const result = await prompts.acknowledgePrompt(db, input);
  await heartbeat(input.runId);
  return result;
}

export function spendCredits(input: { runId: string; amount: number; reason: string }) {
  return credits.spendCredits(db, input);
}

export async function sendEmail(input: { runId: string; to: string; subject: string; body: string }) {
  const result = await recordEmail(db, input);
  publishEvents([result.event]);
  return result;
}

export async function makePayment(input: Parameters<typeof recordPayment>[1]) {
  const result = await recordPayment(db, input);
  publishEvents([result.event]);
  return result;
}

/**
 * The agent reports it is done. A run with a verifier is measured by the verify job (recorded in
 * verifyRequestedAt: with Redis down the reaper enqueues the job later, and the lifecycle sweep
 * fails a verification that never finishes; the agent may simply exit now). Otherwise the report
 * ends the run.
 */
export async function reportCompletion(input: { runId: string; outcome: "succeeded" | "failed"; summary?: string | undefined }) {
  const result = await completeRun(db, input);
  if (result.verifying) {
    await enqueueVerify(input.runId, "completed").catch((err: unknown) =>
      logger.warn({ err, runId: input.runId }, "verification not enqueued; the reaper will retry"),
    );
    return { status: result.status };
  }
  await afterTransition(result.transition);
  return { status: result.transition.status };
}
