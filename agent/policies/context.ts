// What every reference-agent policy receives, and how it ends a run.
import type { CompletionOutcome, RunInfo } from "../../shared/bridge";
import type { PaddockAgentClient } from "../sdk";

/** The bridge calls policies make; an interface so tests can pass a small in-memory fake. */
export type PolicyBridge = Pick<
  PaddockAgentClient,
  "event" | "events" | "progress" | "uploadArtifact" | "prompts" | "ack" | "spendCredits" | "complete"
>;

export interface PolicyContext {
  client: PolicyBridge;
  run: RunInfo;
  /** Aborted on SIGTERM/SIGINT: the provider is stopping the sandbox. */
  signal: AbortSignal;
  /** A line for the sandbox's stdout, which providers stream into the run's logs. */
  log: (line: string) => void;
  /** Where the agent leaves its work, for the run's verifier to measure (unset: nothing is written). */
  resultsDir?: string;
}

export type PolicyResult = { outcome: CompletionOutcome; summary: string } | { outcome: "aborted"; summary: string };

export async function completeRun(
  ctx: Pick<PolicyContext, "client" | "log">,
  outcome: CompletionOutcome,
  summary: string,
): Promise<PolicyResult> {
  await ctx.client.complete(outcome, summary);
  ctx.log(`completed: ${outcome} — ${summary}`);
  return { outcome, summary };
}

export const aborted = (): PolicyResult => ({ outcome: "aborted", summary: "stopped by signal" });

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
