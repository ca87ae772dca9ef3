// How a finished run maps to its pool's outcome. When bets are taken and when a pool locks are
// shared with the client and the agent: shared/run-status.ts.
import type { BetSide, RunStatus } from "../../generated/prisma/enums";
import { isTerminalRun } from "@shared/run-status";

/**
 * How a finished run settles its pool: YES when it succeeded (reaching the target exactly counts,
 * and the runs domain marks such a run succeeded), NO when it failed or expired, and a full
 * refund (null) when it was canceled, idle-killed runs included — or when it never started
 * (`startedAt` null: its launch failed or it was swept out of booting), since the agent never
 * had a chance and NO bettors did not outguess it.
 */
export function outcomeForRun(status: RunStatus, startedAt: Date | null): BetSide | null {
  if (isTerminalRun(status) && startedAt === null) return null;
  if (status === "succeeded") return "yes";
  if (status === "failed" || status === "expired") return "no";
  if (status === "canceled") return null;
  throw new Error(`run status ${status} is not terminal: there is no outcome yet`);
}
