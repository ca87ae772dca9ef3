// Verified outcomes: a run's verifier is a command run inside its sandbox when the run ends; the
// last number it prints is the progress of record, and success means that number reached the
// target — whatever the agent reported.
import type { RunStatus } from "../../generated/prisma/enums";

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

/** The last number in the output, or null when it printed none. */
export function lastNumberPrinted(output: string): number | null {
  const matches = output.match(NUMBER);
  const value = matches ? Number(matches[matches.length - 1]) : NaN;
  return Number.isFinite(value) ? value : null;
}

/** Why verification was asked for: the agent reported completion, or the run's time ran out. */
export type VerifyTrigger = "completed" | "deadline";

export function verifiedEnd(
  measured: number | null,
  targetValue: number,
  trigger: VerifyTrigger,
): { to: Extract<RunStatus, "succeeded" | "failed" | "expired">; reason: string } {
  if (measured !== null && measured >= targetValue) return { to: "succeeded", reason: `verified: ${measured} of ${targetValue}` };
  const to = trigger === "deadline" ? "expired" : "failed";
  if (measured === null) return { to, reason: "verifier printed no number" };
  return { to, reason: `verified ${measured}, below the target ${targetValue}` };
}
