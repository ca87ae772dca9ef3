// End to end with the builtin demo agent on the local provider: the dispatcher (a real worker)
// gives ready tasks to the demo agent, each attempt launches a real run, and the run's end moves
// the attempt and the task on — done with the run's result, retried then failed, or canceled.
import { describe, expect, it } from "vitest";
import { FAST_TASK_TIMING, useTestPaddock, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, FAST_TASK_TIMING);

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { balanceOf, userAccountKey, checkLedger } = await import("../../domain/ledger");
const { config } = await import("../../config");
useTestPaddock();

const fast = { stepMs: 30, progressPerStep: 1, succeed: true };

async function setUp() {
  const user = await makeUser({ grant: 10_000 });
  const workspaceId = (await user.caller.workspace.create({ name: "Demo work" })).id;
  const project = await user.caller.project.create({ workspaceId, name: "Demo project", brief: "Count to three." });
  return { user, workspaceId, project };
}

const taskIn = (id: string, statuses: string[], timeoutMs = 60_000) =>
  waitUntil(
    async () => {
      const t = await db.task.findUniqueOrThrow({ where: { id } });
      return statuses.includes(t.status) ? t : null;
    },
    `task ${id} to reach ${statuses.join("/")}`,
    timeoutMs,
  );

describe("dispatch to the builtin demo agent", () => {
  it("runs a ready task in a run of its workspace and ends it done with the run's result", async () => {
    const { user, workspaceId, project } = await setUp();
    const first = await user.caller.task.create({
      projectId: project.id,
      title: "Count to three",
      status: "ready",
      requiredSpecialization: "coder",
      targetValue: 3,
      agentConfig: fast,
    });
    const second = await user.caller.task.create({
      projectId: project.id,
      title: "Then count again",
      status: "ready",
      requiredSpecialization: "coder",
      dependsOn: [first.id],
      agentConfig: fast,
    });
    const done = await taskIn(second.id, ["done", "failed"], 90_000);
    expect(done.status).toBe("done");
    const firstDone = await db.task.findUniqueOrThrow({ where: { id: first.id } });
    expect(firstDone.status).toBe("done");
    // The second started only after the first was done.
    expect(done.startedAt!.getTime()).toBeGreaterThanOrEqual(firstDone.finishedAt!.getTime());
    const attempts = await db.taskAttempt.findMany({ where: { taskId: { in: [first.id, second.id] } }, include: { run: true } });
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.status).toBe("succeeded");
      expect(a.run).toMatchObject({ status: "succeeded", workspaceId, visibility: "workspace", createdById: user.id, targetValue: 3 });
    }
    expect(new Set(attempts.map((a) => a.runId)).size).toBe(2);
    const detail = await user.caller.task.get({ id: second.id });
    expect(detail.resultOutput).toMatchObject({ runId: detail.attempts[0]!.runId, progress: 3, targetValue: 3 });
    expect(detail.resultSummary).toBeTruthy();
    // The second's context holds the first's output and no other task's.
    const ctx = detail.attempts[0]!.contextSnapshot as { project: { brief: string }; dependencies: { taskId: string; output: unknown }[] };
    expect(ctx.project.brief).toBe("Count to three.");
    expect(ctx.dependencies.map((d) => d.taskId)).toEqual([first.id]);
    expect(ctx.dependencies[0]!.output).toEqual(firstDone.resultOutput);
    // The creator paid the runs; what they did not spend came back.
    await waitUntil(
      async () => (await Promise.all(attempts.map((a) => balanceOf(db, `run:${a.runId}`)))).every((b) => b === 0),
      "run credits to return",
    );
    const spent = attempts.reduce((s, a) => s + a.run!.creditsSpent, 0);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(10_000 - spent);
    expect(await checkLedger(db)).toEqual([]);
    const agent = await db.agent.findUniqueOrThrow({ where: { id: attempts[0]!.agentId } });
    expect(agent.tasksCompleted).toBeGreaterThanOrEqual(2);
  });

  it("retries a failing task up to maxRetries, then fails it with the run's error", async () => {
    const { user, project } = await setUp();
    const task = await user.caller.task.create({
      projectId: project.id,
      title: "Stall",
      status: "ready",
      requiredSpecialization: "coder",
      maxRetries: 1,
      agentConfig: { stepMs: 30, progressPerStep: 1, succeed: false },
    });
    const failed = await taskIn(task.id, ["failed", "done"], 90_000);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/after 2 failed attempts/);
    const attempts = await db.taskAttempt.findMany({ where: { taskId: task.id }, orderBy: { number: "asc" } });
    expect(attempts.map((a) => [a.number, a.status])).toEqual([
      [1, "failed"],
      [2, "failed"],
    ]);
    expect(new Set(attempts.map((a) => a.runId)).size).toBe(2);
  });

  it("cancels the attempt and the task when a person cancels the run, and the operator's Process dispatches at once", async () => {
    const { user, project } = await setUp();
    const task = await user.caller.task.create({
      projectId: project.id,
      title: "Long count",
      requiredSpecialization: "coder",
      targetValue: 1000,
      agentConfig: { stepMs: 500, progressPerStep: 1 },
    });
    expect(task.status).toBe("backlog");
    const dispatched = await user.caller.task.dispatch({ id: task.id });
    expect(dispatched.dispatched).toBe(true);
    const attempt = await waitUntil(
      async () => db.taskAttempt.findFirst({ where: { taskId: task.id, runId: { not: null } } }),
      "the attempt's run",
    );
    await waitUntil(async () => (await db.run.findUniqueOrThrow({ where: { id: attempt.runId! } })).status === "running", "the run to run");
    await user.caller.run.cancel({ id: attempt.runId! });
    const canceled = await taskIn(task.id, ["canceled"]);
    expect(canceled.error).toBeTruthy();
    expect((await db.taskAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).status).toBe("canceled");
    expect(config.TASK_RUN_CREDITS_CENTS).toBeGreaterThan(0);
  });
});
