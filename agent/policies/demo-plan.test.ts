import { describe, expect, it } from "vitest";
import {
  STALL_FRACTION,
  applyPromptCommand,
  concludeDemo,
  parsePromptCommand,
  planDemoSteps,
  resolveDemoSettings,
  type DemoRunShape,
} from "./demo-plan";

const run: DemoRunShape = { goal: "Sign up 100 users", metric: "signups", targetValue: 100 };

describe("resolveDemoSettings", () => {
  it("defaults progressPerStep to 10% of the target", () => {
    expect(resolveDemoSettings({}, 100)).toEqual({
      stepMs: 500,
      progressPerStep: 10,
      succeed: true,
      creditsPerStep: 1,
      screenshotEvery: 5,
    });
  });

  it("names the offending agentConfig field", () => {
    expect(() => resolveDemoSettings({ stepMs: 1 }, 100)).toThrow(/^agentConfig\.stepMs: /);
    expect(() => resolveDemoSettings({ succeed: "yes" }, 100)).toThrow(/^agentConfig\.succeed: /);
  });
});

describe("planDemoSteps", () => {
  it("is deterministic", () => {
    const settings = resolveDemoSettings({ progressPerStep: 7 }, 100);
    expect([...planDemoSteps(settings, run, 0)]).toEqual([...planDemoSteps(settings, run, 0)]);
  });

  it("lands exactly on the target, clamping the last step", () => {
    const settings = resolveDemoSettings({ progressPerStep: 30 }, 100);
    expect([...planDemoSteps(settings, run, 0)].map((s) => s.progress)).toEqual([30, 60, 90, 100]);
  });

  it("does not drift from float error over many steps", () => {
    const settings = resolveDemoSettings({ progressPerStep: 0.1 }, 1);
    const steps = [...planDemoSteps(settings, { ...run, targetValue: 1 }, 0)];
    expect(steps).toHaveLength(10);
    expect(steps.at(-1)!.progress).toBe(1);
    expect(steps[2]!.progress).toBe(0.3);
  });

  it("stalls below the target when configured to fail, then concludes failed", () => {
    const settings = resolveDemoSettings({ succeed: false }, 100);
    const steps = [...planDemoSteps(settings, run, 0)];
    const last = steps.at(-1)!.progress;
    expect(last).toBe(100 * STALL_FRACTION);
    expect(concludeDemo(settings, run, last).outcome).toBe("failed");
  });

  it("continues from the run's current progress", () => {
    const settings = resolveDemoSettings({}, 100);
    const steps = [...planDemoSteps(settings, run, 85)];
    expect(steps.map((s) => s.progress)).toEqual([95, 100]);
    expect([...planDemoSteps(settings, run, 100)]).toEqual([]);
    expect(concludeDemo(settings, run, 100).outcome).toBe("succeeded");
  });

  it("rotates thought → action → tool_call → log and screenshots every N steps", () => {
    const settings = resolveDemoSettings({ screenshotEvery: 3 }, 100);
    const steps = [...planDemoSteps(settings, run, 0)];
    expect(steps.slice(0, 5).map((s) => s.events.map((e) => e.kind))).toEqual([
      ["thought"],
      ["action"],
      ["tool_call"],
      ["log"],
      ["thought"],
    ]);
    expect(steps.filter((s) => s.screenshot).map((s) => s.index + 1)).toEqual([3, 6, 9]);
    expect([...planDemoSteps(resolveDemoSettings({ screenshotEvery: 0 }, 100), run, 0)].some((s) => s.screenshot)).toBe(false);
  });
});

describe("prompt commands", () => {
  it("recognises the three words, stop first", () => {
    expect(parsePromptCommand("Go FASTER please")).toBe("faster");
    expect(parsePromptCommand("a bit slower")).toBe("slower");
    expect(parsePromptCommand("faster... no, stop!")).toBe("stop");
    expect(parsePromptCommand("unstoppable")).toBeUndefined();
  });

  it("halves and doubles the pace within bounds", () => {
    expect(applyPromptCommand(500, "faster")).toBe(250);
    expect(applyPromptCommand(500, "slower")).toBe(1000);
    expect(applyPromptCommand(15, "faster")).toBe(10);
    expect(applyPromptCommand(40_000, "slower")).toBe(60_000);
    expect(applyPromptCommand(500, undefined)).toBe(500);
  });
});
