import { describe, expect, it } from "vitest";
import { canTransition, TERMINAL_RUN_STATUSES as TERMINAL } from "@shared/run-status";
import { assertTransition } from "./lifecycle";
import { AppError } from "../../lib/errors";

describe("the run state machine", () => {
  it("allows the happy path and every documented ending", () => {
    expect(canTransition("queued", "booting")).toBe(true);
    expect(canTransition("booting", "running")).toBe(true);
    for (const end of ["succeeded", "failed", "canceled", "expired"] as const) expect(canTransition("running", end)).toBe(true);
    expect(canTransition("queued", "canceled")).toBe(true);
    expect(canTransition("booting", "failed")).toBe(true);
  });

  it("refuses skipping ahead, going back, and leaving a terminal state, naming both states", () => {
    expect(canTransition("queued", "running")).toBe(false);
    expect(canTransition("queued", "succeeded")).toBe(false);
    expect(canTransition("running", "booting")).toBe(false);
    for (const from of TERMINAL) {
      for (const to of ["queued", "booting", "running", "succeeded", "failed", "canceled", "expired"] as const) {
        expect(canTransition(from, to)).toBe(false);
      }
    }
    try {
      assertTransition("succeeded", "running");
      expect.fail("should throw");
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("INVALID_TRANSITION");
      expect((e as AppError).message).toBe("a run cannot go from succeeded to running");
    }
  });
});
