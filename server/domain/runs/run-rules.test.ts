// Nobody both bets on a run and steers it (shared/run-rules.ts), enforced by the domain behind
// the real tRPC procedures.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { makeRun, moneySnapshot } from "../betting/fixtures";
import { lockPool } from "../betting/pools";
import { settlePool } from "../betting/settle-pool";
import { balanceOf, checkLedger, runAccountKey, userAccountKey } from "../ledger";
import { createWorkspace } from "../workspaces/workspaces";
import type { WorkspaceRole } from "@shared/workspace-rules";

describe("who may prompt a run", () => {
  it("refuses a NO bettor's prompt into someone else's run, and writes nothing", async () => {
    const owner = await makeUser();
    const bettor = await makeUser();
    const run = await makeRun(db, { createdById: owner.id });
    await bettor.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 });
    expect(await rejection(bettor.caller.run.submitPrompt({ id: run.runId, text: "stop" }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/only members of the run's workspace and operators/),
    });
    expect(await db.promptInjection.count({ where: { runId: run.runId } })).toBe(0);
  });

  it("refuses an operator's prompt once the operator has a bet on the run", async () => {
    const owner = await makeUser();
    const operator = await makeUser({ role: "operator" });
    const run = await makeRun(db, { createdById: owner.id });
    await operator.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 });
    expect(await rejection(operator.caller.run.submitPrompt({ id: run.runId, text: "stop" }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/you have a bet on this run/),
    });
    expect(await db.promptInjection.count({ where: { runId: run.runId } })).toBe(0);
  });

  it("lets the creator and an operator without a bet prompt", async () => {
    const owner = await makeUser();
    const operator = await makeUser({ role: "operator" });
    const run = await makeRun(db, { createdById: owner.id });
    await owner.caller.run.submitPrompt({ id: run.runId, text: "faster" });
    await operator.caller.run.submitPrompt({ id: run.runId, text: "slower" });
    expect(await db.promptInjection.count({ where: { runId: run.runId } })).toBe(2);
  });
});

describe("the run's workspace steers it", () => {
  async function teamRun() {
    const owner = await makeUser();
    const ws = await createWorkspace(db, { userId: owner.id, name: "Steering team" });
    const join = async (role: WorkspaceRole) => {
      const u = await makeUser();
      await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: u.id, role } });
      return u;
    };
    const run = await makeRun(db, { createdById: owner.id, workspaceId: ws.id });
    // The fixture's run has no budget account; credits need one.
    await db.ledgerAccount.create({ data: { key: runAccountKey(run.runId), kind: "run" } });
    return { owner, run, join };
  }

  it("lets a teammate who is not the creator prompt and fund the run, and then not bet on it", async () => {
    const { run, join } = await teamRun();
    const teammate = await join("member");
    await teammate.caller.run.submitPrompt({ id: run.runId, text: "faster" });
    expect(await teammate.caller.run.injectCredits({ id: run.runId, amount: 100 })).toMatchObject({ creditBudget: 100 });
    expect(await rejection(teammate.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 500 }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/you have steered/),
    });
  });

  it("refuses a viewer's prompt, credits and cancel, and lets the viewer bet", async () => {
    const { run, join } = await teamRun();
    const viewer = await join("viewer");
    const before = await moneySnapshot(db);
    for (const call of [
      () => viewer.caller.run.submitPrompt({ id: run.runId, text: "stop" }),
      () => viewer.caller.run.injectCredits({ id: run.runId, amount: 100 }),
      () => viewer.caller.run.cancel({ id: run.runId }),
    ]) {
      expect(await rejection(call())).toMatchObject({ code: "FORBIDDEN", field: "id", message: expect.stringMatching(/viewers cannot/) });
    }
    expect(await moneySnapshot(db)).toEqual(before);
    expect(await db.promptInjection.count({ where: { runId: run.runId } })).toBe(0);
    await viewer.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 });
  });

  it("refuses a teammate's credits once they have a bet on the run", async () => {
    const { run, join } = await teamRun();
    const teammate = await join("member");
    await teammate.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 500 });
    const before = await moneySnapshot(db);
    expect(await rejection(teammate.caller.run.injectCredits({ id: run.runId, amount: 100 }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/you have a bet on this run/),
    });
    expect(await moneySnapshot(db)).toEqual(before);
  });

  it("concurrent credits and a bet by the same teammate never both succeed", async () => {
    for (let i = 0; i < 6; i++) {
      const { run, join } = await teamRun();
      const teammate = await join("member");
      const outcomes = await Promise.allSettled([
        teammate.caller.run.injectCredits({ id: run.runId, amount: 100 }),
        teammate.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 100 }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      expect(await checkLedger(db)).toEqual([]);
    }
  });
});

describe("who may bet on a run", () => {
  it("refuses the creator's bet on their own run, moving no money", async () => {
    const owner = await makeUser();
    const run = await makeRun(db, { createdById: owner.id });
    const before = await moneySnapshot(db);
    expect(await rejection(owner.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 500 }))).toMatchObject({
      code: "FORBIDDEN",
      field: "runId",
      message: expect.stringMatching(/your own run/),
    });
    expect(await moneySnapshot(db)).toEqual(before);
  });

  it("refuses a bet from an operator who has prompted the run", async () => {
    const owner = await makeUser();
    const operator = await makeUser({ role: "operator" });
    const run = await makeRun(db, { createdById: owner.id });
    await operator.caller.run.submitPrompt({ id: run.runId, text: "slower" });
    expect(await rejection(operator.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/you have steered/),
    });
  });

  it("a concurrent prompt and bet by the same operator never both succeed", async () => {
    const owner = await makeUser();
    for (let i = 0; i < 8; i++) {
      const operator = await makeUser({ role: "operator" });
      const run = await makeRun(db, { createdById: owner.id });
      const outcomes = await Promise.allSettled([
        operator.caller.run.submitPrompt({ id: run.runId, text: "stop" }),
        operator.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 100 }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const prompts = await db.promptInjection.count({ where: { runId: run.runId } });
      const bets = await db.bet.count({ where: { poolId: run.poolId } });
      expect(prompts + bets).toBe(1);
    }
  });
});

describe("who may cancel a run", () => {
  it("refuses a bettor's cancel, operators included", async () => {
    const owner = await makeUser();
    const bettor = await makeUser();
    const operator = await makeUser({ role: "operator" });
    const run = await makeRun(db, { createdById: owner.id });
    await bettor.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 });
    await operator.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 500 });
    for (const who of [bettor, operator]) {
      expect(await rejection(who.caller.run.cancel({ id: run.runId }))).toMatchObject({ code: "FORBIDDEN", field: "id" });
    }
    expect((await db.run.findUniqueOrThrow({ where: { id: run.runId } })).status).toBe("running");
  });

  it("after the pool locks only an operator cancels, and the cancel refunds every bet", async () => {
    const owner = await makeUser();
    const bettor = await makeUser({ grant: 10_000 });
    const operator = await makeUser({ role: "operator" });
    const run = await makeRun(db, { createdById: owner.id });
    await bettor.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 700 });
    await lockPool(db, { runId: run.runId, reason: "progress" });

    expect(await rejection(owner.caller.run.cancel({ id: run.runId }))).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/only an operator can cancel/),
    });
    expect((await db.run.findUniqueOrThrow({ where: { id: run.runId } })).status).toBe("running");

    expect(await operator.caller.run.cancel({ id: run.runId })).toMatchObject({ status: "canceled" });
    expect(await settlePool(db, run.poolId)).toMatchObject({ state: "refunded" });
    expect(await balanceOf(db, userAccountKey(bettor.id))).toBe(10_000);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("before the lock the creator may cancel", async () => {
    const owner = await makeUser();
    const run = await makeRun(db, { createdById: owner.id });
    expect(await owner.caller.run.cancel({ id: run.runId })).toMatchObject({ status: "canceled" });
  });
});
