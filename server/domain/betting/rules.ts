// The betting market's rules in one place: when bets are taken, when a pool locks, how a
// finished run maps to an outcome. Every caller (placeBet, locks, settlement, odds) uses these.
import type { BetSide, SandboxStatus } from "../../generated/prisma/enums";

/** Only runs that have not finished take bets. */
export const LIVE_RUN_STATUSES = ["queued", "booting", "running"] as const satisfies readonly SandboxStatus[];
export const TERMINAL_RUN_STATUSES = ["succeeded", "failed", "canceled", "expired"] as const satisfies readonly SandboxStatus[];

/** Bets lock once this share of the run's time has elapsed… */
export const TIME_LOCK_FRACTION = 0.8;
/** …or once progress reaches this share of the target, or when the run ends, whichever first. */
export const PROGRESS_LOCK_FRACTION = 0.9;

export type LockReason = "time" | "progress" | "ended";

export function isLiveRun(status: SandboxStatus): boolean {
  return (LIVE_RUN_STATUSES as readonly SandboxStatus[]).includes(status);
}

export function isTerminalRun(status: SandboxStatus): boolean {
  return (TERMINAL_RUN_STATUSES as readonly SandboxStatus[]).includes(status);
}

/** When the time lock fires for a run that started at `startedAt` and may last `durationMinutes`. */
export function timeLockAt(startedAt: Date, durationMinutes: number): Date {
  return new Date(startedAt.getTime() + TIME_LOCK_FRACTION * durationMinutes * 60_000);
}

export function reachedProgressLock(currentProgress: number, targetValue: number): boolean {
  return currentProgress >= PROGRESS_LOCK_FRACTION * targetValue;
}

/**
 * How a finished run settles its pool: YES when it succeeded (reaching the target exactly counts,
 * and the sandbox domain marks such a run succeeded), NO when it failed or expired, and a full
 * refund (null) when it was canceled, idle-killed runs included — or when it never started
 * (`startedAt` null: its launch failed or it was swept out of booting), since the agent never
 * had a chance and NO bettors did not outguess it.
 */
export function outcomeForRun(status: SandboxStatus, startedAt: Date | null): BetSide | null {
  if (isTerminalRun(status) && startedAt === null) return null;
  if (status === "succeeded") return "yes";
  if (status === "failed" || status === "expired") return "no";
  if (status === "canceled") return null;
  throw new Error(`run status ${status} is not terminal: there is no outcome yet`);
}
