// Credits are money: a run's budget is its ledger account, funded at launch and by injection,
// returned pro rata to every funder when the run ends.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { ensureBuiltinAgents } from "../../domain/agents/builtin";
import { balanceOf, checkLedger, runAccountKey, userAccountKey } from "../../domain/ledger";
import { transitionRun } from "../../domain/runs/lifecycle";
import { spendCredits } from "../../domain/runs/credits";
import { createWorkspace } from "../../domain/workspaces/workspaces";

/** A run launched in a team workspace; `backer` adds a member of it (only members and operators fund its runs). */
async function launchedRun(credits: number) {
  const launcher = await makeUser({ grant: 10_000 });
  const [agent] = await ensureBuiltinAgents(db);
  const ws = await createWorkspace(db, { userId: launcher.id, name: "Backers" });
  const backer = async (grant: number) => {
    const u = await makeUser({ grant });
    await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: u.id, role: "member" } });
    return u;
  };
  const { id } = await launcher.caller.run.create({
    workspaceId: ws.id,
    goal: "Count to ten",
    metric: "count",
    targetValue: 10,
    agentId: agent!.id,
    durationMinutes: 10,
    credits,
  });
  return { launcher, id, backer };
}

const budgetOf = async (id: string) => (await db.run.findUniqueOrThrow({ where: { id }, select: { creditBudget: true } })).creditBudget;

describe("run.injectCredits", () => {
  it("moves the amount from the backer's balance into the run's budget", async () => {
    const { id, backer: member } = await launchedRun(400);
    const backer = await member(10_000);
    expect(await backer.caller.run.injectCredits({ id, amount: 2_500 })).toEqual({ creditBudget: 2_900 });
    expect(await budgetOf(id)).toBe(2_900);
    expect(await balanceOf(db, userAccountKey(backer.id))).toBe(7_500);
    expect(await balanceOf(db, runAccountKey(id))).toBe(2_900);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("refuses more than the backer has, naming amount, and changes nothing", async () => {
    const { id, backer: member } = await launchedRun(400);
    const backer = await member(1_000);
    expect(await rejection(backer.caller.run.injectCredits({ id, amount: 1_001 }))).toMatchObject({
      field: "amount",
      message: expect.stringContaining("insufficient funds"),
    });
    expect(await budgetOf(id)).toBe(400);
    expect(await balanceOf(db, userAccountKey(backer.id))).toBe(1_000);
    expect(await balanceOf(db, runAccountKey(id))).toBe(400);
  });

  it("refuses bad amounts, unknown runs and runs that ended, moving nothing", async () => {
    const { id, backer: member } = await launchedRun(400);
    const backer = await member(1_000);
    expect(await rejection(backer.caller.run.injectCredits({ id, amount: 0 }))).toMatchObject({ code: "BAD_REQUEST", field: "amount" });
    expect(await rejection(backer.caller.run.injectCredits({ id, amount: 1.5 }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "amount",
    });
    expect(await rejection(backer.caller.run.injectCredits({ id: "no-such-run", amount: 100 }))).toMatchObject({
      code: "NOT_FOUND",
      field: "id",
    });
    await transitionRun(db, { runId: id, to: "canceled", reason: "test" });
    expect(await rejection(backer.caller.run.injectCredits({ id, amount: 100 }))).toMatchObject({ code: "CONFLICT", field: "id" });
    expect(await balanceOf(db, userAccountKey(backer.id))).toBe(1_000);
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("unspent credits when a run ends", () => {
  it("go back to every funder pro rata to what each put in, leftover cents by largest remainder", async () => {
    const { launcher, id, backer } = await launchedRun(300);
    const alice = await backer(10_000);
    const bob = await backer(10_000);
    // Alice funds twice: her share is what she put in altogether.
    await alice.caller.run.injectCredits({ id, amount: 150 });
    await bob.caller.run.injectCredits({ id, amount: 100 });
    await alice.caller.run.injectCredits({ id, amount: 50 });
    await transitionRun(db, { runId: id, to: "booting" });
    await transitionRun(db, { runId: id, to: "running" });
    await spendCredits(db, { runId: id, amount: 1, reason: "model call" });

    // 599 left of 600: quotas 299.5, 199.67, 99.83; the two leftover cents go to Bob (.83), then Alice (.67).
    const ended = await transitionRun(db, { runId: id, to: "succeeded" });
    const byUser = Object.fromEntries(ended.returned.map((r) => [r.userId, r.amount]));
    expect(byUser).toEqual({ [launcher.id]: 299, [alice.id]: 200, [bob.id]: 100 });
    expect(await balanceOf(db, runAccountKey(id))).toBe(0);
    expect(await balanceOf(db, userAccountKey(launcher.id))).toBe(10_000 - 300 + 299);
    expect(await balanceOf(db, userAccountKey(alice.id))).toBe(10_000);
    expect(await balanceOf(db, userAccountKey(bob.id))).toBe(10_000);
    expect(await checkLedger(db)).toEqual([]);
  });
});
