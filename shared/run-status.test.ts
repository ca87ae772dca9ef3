import { describe, expect, it } from "vitest";
import {
  canTransition,
  describeLock,
  isLiveRun,
  isTerminalRun,
  LIVE_RUN_STATUSES,
  LOCK_REASONS,
  reachedProgressLock,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  STARTED_RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  timeLockAt,
} from "./run-status";

describe("run statuses", () => {
  it("splits every status into exactly one of live and terminal", () => {
    for (const s of RUN_STATUSES) expect([isLiveRun(s), isTerminalRun(s)].filter(Boolean)).toHaveLength(1);
    expect([...LIVE_RUN_STATUSES, ...TERMINAL_RUN_STATUSES].sort()).toEqual([...RUN_STATUSES].sort());
    for (const s of STARTED_RUN_STATUSES) expect(isLiveRun(s)).toBe(true);
  });

  it("lets a terminal run go nowhere and every live run reach an end", () => {
    for (const s of TERMINAL_RUN_STATUSES) expect(RUN_TRANSITIONS[s]).toEqual([]);
    for (const s of LIVE_RUN_STATUSES) expect(RUN_TRANSITIONS[s].some(isTerminalRun)).toBe(true);
    for (const s of LIVE_RUN_STATUSES) expect(canTransition(s, "canceled")).toBe(true);
  });
});

describe("the pool locks", () => {
  it("by time at 80% of the run's span", () => {
    const start = new Date("2026-12-01T10:00:00Z");
    expect(timeLockAt(start, new Date("2026-12-01T10:50:00Z")).toISOString()).toBe("2026-12-01T10:40:00.000Z");
  });

  it("by progress from 90% of the target, inclusive", () => {
    expect(reachedProgressLock(8.99, 10)).toBe(false);
    expect(reachedProgressLock(9, 10)).toBe(true);
  });

  it("explains each reason with the same figures", () => {
    expect(LOCK_REASONS.time).toBe("80% of the run's time has elapsed");
    expect(describeLock("progress")).toBe("progress reached 90% of the target");
    expect(describeLock("something new")).toBe("something new");
  });
});
