// The who-may-do-what matrix of shared/run-rules.ts, generated from one table.
import { describe, expect, it } from "vitest";
import { betRefusal, cancelRefusal, launchVerifierRefusal, promptRefusal } from "./run-rules";

type Who = "creator" | "member" | "operator" | "admin";
const actor = (who: Who) => ({ userId: who === "creator" ? "u-creator" : `u-${who}`, role: who === "creator" ? "member" : who });

// [who, hasBet, hasPrompted, poolLocked] → may bet, may prompt, may cancel.
// (The creator never has a bet: the rule refuses it. Only steerers (creator, operators) can have prompted.)
const table: [Who, boolean, boolean, boolean, boolean, boolean, boolean][] = [
  ["creator", false, false, false, false, true, true],
  ["creator", false, true, false, false, true, true],
  ["creator", false, false, true, false, true, false],
  ["member", false, false, false, true, false, false],
  ["member", true, false, false, true, false, false],
  ["member", true, false, true, true, false, false],
  ["operator", false, false, false, true, true, true],
  ["operator", true, false, false, true, false, false],
  ["operator", false, true, false, false, true, true],
  ["operator", false, false, true, true, true, true],
  ["operator", true, false, true, true, false, false],
  ["admin", false, false, true, true, true, true],
  ["admin", true, false, true, true, false, false],
];

describe("who may bet on, prompt and cancel a run", () => {
  it.each(table)(
    "%s (bet %s, prompted %s, locked %s): bet %s, prompt %s, cancel %s",
    (who, hasBet, hasPrompted, poolLocked, bet, prompt, cancel) => {
      const run = { createdById: "u-creator", hasBet, hasPrompted, poolLocked };
      expect(betRefusal(actor(who), run) === null).toBe(bet);
      expect(promptRefusal(actor(who), run) === null).toBe(prompt);
      expect(cancelRefusal(actor(who), run) === null).toBe(cancel);
    },
  );

  it("says why", () => {
    const run = { createdById: "u-creator", hasBet: true, hasPrompted: false, poolLocked: true };
    expect(betRefusal(actor("creator"), run)).toMatch(/your own run/);
    expect(promptRefusal(actor("operator"), run)).toMatch(/you have a bet on this run/);
    expect(cancelRefusal(actor("creator"), { ...run, hasBet: false })).toMatch(/only an operator can cancel it now/);
  });

  it("lets only operators give a run its own verifier", () => {
    expect(launchVerifierRefusal({ role: "member" })).toMatch(/only an operator/);
    expect(launchVerifierRefusal({ role: "operator" })).toBeNull();
    expect(launchVerifierRefusal({ role: "admin" })).toBeNull();
  });
});
