// The who-may-do-what matrix of shared/run-rules.ts, generated from one table.
import { describe, expect, it } from "vitest";
import { betRefusal, cancelRefusal, creditRefusal, launchVerifierRefusal, promptRefusal, type RunActorRole } from "./run-rules";
import type { WorkspaceRole } from "./workspace-rules";

// The creator and the teammate are members of the run's workspace, the viewer is its viewer; the
// outsider, operator and admin belong to other workspaces (site roles steer without a membership).
type Who = "creator" | "teammate" | "viewer" | "outsider" | "operator" | "admin";
const PEOPLE: Record<Who, { role: RunActorRole; workspaceRole: WorkspaceRole | null }> = {
  creator: { role: "member", workspaceRole: "member" },
  teammate: { role: "member", workspaceRole: "member" },
  viewer: { role: "member", workspaceRole: "viewer" },
  outsider: { role: "member", workspaceRole: null },
  operator: { role: "operator", workspaceRole: null },
  admin: { role: "admin", workspaceRole: null },
};
const actor = (who: Who) => ({ userId: `u-${who}`, role: PEOPLE[who].role });

// [who, hasBet, steered, poolLocked] → may bet, may prompt, may add credits, may cancel.
// (The creator never has a bet: the rule refuses it. Only those who may steer can have steered.)
const table: [Who, boolean, boolean, boolean, boolean, boolean, boolean, boolean][] = [
  ["creator", false, false, false, false, true, true, true],
  ["creator", false, true, false, false, true, true, true],
  ["creator", false, false, true, false, true, true, false],
  ["teammate", false, false, false, true, true, true, true],
  ["teammate", false, true, false, false, true, true, true],
  ["teammate", true, false, false, true, false, false, false],
  ["teammate", false, false, true, true, true, true, false],
  ["viewer", false, false, false, true, false, false, false],
  ["viewer", true, false, true, true, false, false, false],
  ["outsider", false, false, false, true, false, false, false],
  ["outsider", true, false, false, true, false, false, false],
  ["outsider", true, false, true, true, false, false, false],
  ["operator", false, false, false, true, true, true, true],
  ["operator", true, false, false, true, false, false, false],
  ["operator", false, true, false, false, true, true, true],
  ["operator", false, false, true, true, true, true, true],
  ["operator", true, false, true, true, false, false, false],
  ["admin", false, false, true, true, true, true, true],
  ["admin", true, false, true, true, false, false, false],
];

describe("who may bet on, prompt, fund and cancel a run", () => {
  it.each(table)(
    "%s (bet %s, steered %s, locked %s): bet %s, prompt %s, credits %s, cancel %s",
    (who, hasBet, hasPrompted, poolLocked, bet, prompt, credits, cancel) => {
      const run = { createdById: "u-creator", hasBet, hasPrompted, poolLocked, workspaceRole: PEOPLE[who].workspaceRole };
      expect(betRefusal(actor(who), run) === null).toBe(bet);
      expect(promptRefusal(actor(who), run) === null).toBe(prompt);
      expect(creditRefusal(actor(who), run) === null).toBe(credits);
      expect(cancelRefusal(actor(who), run) === null).toBe(cancel);
    },
  );

  it("says why", () => {
    const run = { createdById: "u-creator", hasBet: true, hasPrompted: false, poolLocked: true, workspaceRole: null };
    expect(betRefusal(actor("creator"), run)).toMatch(/your own run/);
    expect(promptRefusal(actor("operator"), run)).toMatch(/you have a bet on this run/);
    expect(cancelRefusal(actor("creator"), { ...run, hasBet: false, workspaceRole: "member" })).toMatch(
      /only an operator can cancel it now/,
    );
    expect(promptRefusal(actor("viewer"), { ...run, workspaceRole: "viewer" })).toMatch(/viewers cannot prompt/);
    expect(creditRefusal(actor("outsider"), run)).toMatch(/only members of the run's workspace and operators/);
  });

  it("lets only operators give a run its own verifier", () => {
    expect(launchVerifierRefusal({ role: "member" })).toMatch(/only an operator/);
    expect(launchVerifierRefusal({ role: "operator" })).toBeNull();
    expect(launchVerifierRefusal({ role: "admin" })).toBeNull();
  });
});
