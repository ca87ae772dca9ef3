// A run's statuses and the rules built on them, in one module that the server (domain, jobs and
// the SQL they write), the client and the agent all import:
//   queued → booting → running → succeeded | failed | canceled | expired
// (queued and booting may also end early: a launch can fail, a user can cancel.)
// No imports: the agent bundle includes this file, and it must stay small.

/** In the order a run goes through them; the same values as the database enum "RunStatus". */
export const RUN_STATUSES = ["queued", "booting", "running", "succeeded", "failed", "canceled", "expired"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Not finished: a live run takes bets, prompts and credits, and counts toward its creator's quota. */
export const LIVE_RUN_STATUSES = ["queued", "booting", "running"] as const satisfies readonly RunStatus[];
/** Finished: nothing changes a run in one of these any more. */
export const TERMINAL_RUN_STATUSES = ["succeeded", "failed", "canceled", "expired"] as const satisfies readonly RunStatus[];
/** Handed to a provider: the agent may be talking to the bridge (events, progress, spending). */
export const STARTED_RUN_STATUSES = ["booting", "running"] as const satisfies readonly RunStatus[];
/** Finished with a measured result (a cancel is no verdict on the agent): what success rates count. */
export const JUDGED_RUN_STATUSES = ["succeeded", "failed", "expired"] as const satisfies readonly RunStatus[];

export const isLiveRun = (status: string): boolean => (LIVE_RUN_STATUSES as readonly string[]).includes(status);
export const isTerminalRun = (status: string): boolean => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
export const isStartedRun = (status: string): boolean => (STARTED_RUN_STATUSES as readonly string[]).includes(status);

/** The state machine: which status a run may move to from each status. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ["booting", "failed", "canceled"],
  booting: ["running", "failed", "canceled", "expired"],
  running: ["succeeded", "failed", "canceled", "expired"],
  succeeded: [],
  failed: [],
  canceled: [],
  expired: [],
};

export const canTransition = (from: RunStatus, to: RunStatus): boolean => RUN_TRANSITIONS[from].includes(to);

// ── When a run's betting pool locks ──

/** Bets lock once this share of the run's time has elapsed… */
export const TIME_LOCK_FRACTION = 0.8;
/** …or once progress reaches this share of the target, or when the run ends, whichever first. */
export const PROGRESS_LOCK_FRACTION = 0.9;

export type LockReason = "time" | "progress" | "ended";

/** When the time lock fires for a run that started at `startedAt` and ends at `expiresAt`. */
export function timeLockAt(startedAt: Date, expiresAt: Date): Date {
  return new Date(startedAt.getTime() + TIME_LOCK_FRACTION * (expiresAt.getTime() - startedAt.getTime()));
}

export function reachedProgressLock(currentProgress: number, targetValue: number): boolean {
  return currentProgress >= PROGRESS_LOCK_FRACTION * targetValue;
}

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

export const LOCK_REASONS: Readonly<Record<LockReason, string>> = {
  time: `${percent(TIME_LOCK_FRACTION)} of the run's time has elapsed`,
  progress: `progress reached ${percent(PROGRESS_LOCK_FRACTION)} of the target`,
  ended: "the run has ended",
};

/** Why a pool locked, as a phrase ("80% of the run's time has elapsed"); an unknown reason as is. */
export function describeLock(reason: string): string {
  return (LOCK_REASONS as Record<string, string>)[reason] ?? reason;
}
