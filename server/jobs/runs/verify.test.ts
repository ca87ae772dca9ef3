// Verified outcomes end to end on the local provider: real workers, the reference agent in a
// child process, the verify job running the verifier in the run's sandbox, settlement after it.
import type { Job } from "bullmq";
import { describe, expect, it } from "vitest";
import { ENDED, useTestPaddock, waitForRun, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, { MINUTE_SECONDS: "1", IDLE_KILL_EVERY_MS: "300", REAPER_EVERY_MS: "1000", LAUNCH_BACKOFF_MS: "50" });

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { checkLedger } = await import("../../domain/ledger");
const { DEMO_VERIFIER } = await import("../../domain/agents/builtin");
const { makeRun } = await import("../../domain/betting/fixtures");
const { expireJob } = await import("./expire");
const ctx = useTestPaddock();

const settled = (runId: string) =>
  waitUntil(async () => {
    const pool = await db.pool.findUniqueOrThrow({ where: { runId } });
    return pool.status === "settled" || pool.status === "refunded" ? pool : null;
  }, "the pool to settle");

describe("a run without a verifier whose time runs out", () => {
  it("at or above its target succeeds and settles YES; below it, expires and settles NO", async () => {
    const owner = await makeUser();
    const yes = await makeUser({ grant: 10_000 });
    const no = await makeUser({ grant: 10_000 });
    const reached = await makeRun(db, { createdById: owner.id, targetValue: 50, currentProgress: 50 });
    const short = await makeRun(db, { createdById: owner.id, targetValue: 50, currentProgress: 49 });
    for (const run of [reached, short]) {
      await yes.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 100 });
      await no.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 100 });
      // The expiry job as the queue runs it at the run's deadline.
      await expireJob.handle({ runId: run.runId }, {} as Job);
    }
    expect(await db.run.findUniqueOrThrow({ where: { id: reached.runId } })).toMatchObject({
      status: "succeeded",
      statusReason: "target reached when time ran out (50 of 50)",
    });
    expect(await settled(reached.runId)).toMatchObject({ status: "settled", outcome: "yes" });
    expect(await db.run.findUniqueOrThrow({ where: { id: short.runId } })).toMatchObject({ status: "expired" });
    expect(await settled(short.runId)).toMatchObject({ status: "settled", outcome: "no" });
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("a run with a verifier", () => {
  it("whose agent reports success but whose verifier prints less than the target ends failed and settles NO", async () => {
    const operator = await makeUser({ role: "operator" });
    const yes = await makeUser();
    const no = await makeUser();
    const { id } = await operator.caller.run.create({
      goal: "Claim ten, make three",
      metric: "points",
      targetValue: 10,
      agentId: ctx.agentId,
      durationMinutes: 600,
      credits: 300,
      verifier: "echo 'checking the work'; echo 12 items seen; echo passing: 3",
      agentConfig: { stepMs: 300, progressPerStep: 2 },
    });
    await waitForRun(id, ["running"]);
    await yes.caller.betting.placeBet({ runId: id, side: "yes", amount: 300 });
    await no.caller.betting.placeBet({ runId: id, side: "no", amount: 100 });
    const run = await waitForRun(id, ENDED);
    expect(run).toMatchObject({
      status: "failed",
      statusReason: "verified 3, below the target 10",
      currentProgress: 10,
      verifiedProgress: 3,
    });
    expect(run.verifierOutput).toContain("passing: 3");
    expect(await settled(id)).toMatchObject({ status: "settled", outcome: "no" });
    const detail = await yes.caller.run.get({ id });
    expect(detail).toMatchObject({ verifiedProgress: 3, verifierOutput: expect.stringContaining("passing: 3") });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("from the demo agent counts the files the demo agent wrote, and succeeds on them", async () => {
    const creator = await makeUser();
    const { id } = await creator.caller.run.create({
      goal: "Write seven results",
      metric: "results",
      targetValue: 7,
      agentId: ctx.agentId,
      durationMinutes: 600,
      credits: 300,
      agentConfig: { stepMs: 30, progressPerStep: 3 },
    });
    const run = await waitForRun(id, ENDED);
    expect(run).toMatchObject({ status: "succeeded", verifier: DEMO_VERIFIER, verifiedProgress: 7 });
    const [listed] = (await creator.caller.run.list({ creator: "me", limit: 1 })).items;
    expect(listed).toMatchObject({ id, verifiedProgress: 7, verifier: DEMO_VERIFIER });
  });

  it("is measured when time runs out: enough work at the deadline is a success", async () => {
    const operator = await makeUser({ role: "operator" });
    const { id } = await operator.caller.run.create({
      goal: "Be measured at the deadline",
      metric: "points",
      targetValue: 20,
      agentId: ctx.agentId,
      durationMinutes: 3,
      credits: 300,
      verifier: "echo 25",
      // One step, then a long sleep: the agent never reports completion, the deadline ends the run.
      agentConfig: { stepMs: 60_000, progressPerStep: 1 },
    });
    const run = await waitForRun(id, ENDED, 30_000);
    expect(run).toMatchObject({ status: "succeeded", statusReason: "verified: 25 of 20", currentProgress: 1, verifiedProgress: 25 });
  });

  it("may be given at launch by an operator only", async () => {
    const member = await makeUser();
    await expect(
      member.caller.run.create({
        goal: "Pick my own judge",
        metric: "points",
        targetValue: 1,
        agentId: ctx.agentId,
        durationMinutes: 10,
        credits: 100,
        verifier: "echo 1000",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/only an operator/) });
    expect(await db.run.count({ where: { createdById: member.id } })).toBe(0);
  });
});
