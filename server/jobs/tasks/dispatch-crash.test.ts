// Exactly one run per attempt: concurrent launches of one attempt (two workers, a duplicate job)
// make one run, and a worker SIGKILLed while dispatching leaves, after a restart, every task
// ended once and no run that is not its attempt's.
import { describe, expect, it } from "vitest";
import { useApiWithKillableWorkers, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, {
  WORKER_LOCK_MS: "2000",
  LAUNCH_BACKOFF_MS: "100",
  MINUTE_SECONDS: "1",
  TASK_DISPATCH_EVERY_MS: "300",
  TASK_SWEEP_EVERY_MS: "300",
  TASK_LAUNCH_STALE_MS: "1000",
});

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { dispatchTask } = await import("../../domain/tasks/dispatch");
const { launchAttempt } = await import("../../commands/tasks");

// The API runs here (its start makes the built-in agents); workers run in child processes this test can kill.
const paddock = useApiWithKillableWorkers();

async function project(name: string) {
  const user = await makeUser({ grant: 100_000 });
  const workspaceId = (await user.caller.workspace.create({ name })).id;
  return { user, workspaceId, project: await user.caller.project.create({ workspaceId, name }) };
}

describe("one run per attempt", () => {
  it("five concurrent launches of one attempt make one run", async () => {
    const { user, project: p } = await project("Races");
    const task = await user.caller.task.create({
      projectId: p.id,
      title: "Raced",
      status: "ready",
      requiredSpecialization: "coder",
      agentConfig: { stepMs: 5_000, progressPerStep: 1 },
    });
    const outcome = await dispatchTask(db, { taskId: task.id, now: new Date(), leaseSeconds: 60 });
    expect(outcome.kind).toBe("launch");
    const attemptId = (outcome as { attemptId: string }).attemptId;
    // A second dispatch of the same task finds it taken: no second attempt.
    expect((await dispatchTask(db, { taskId: task.id, now: new Date(), leaseSeconds: 60 })).kind).toBe("waiting");
    const launched = await Promise.all(Array.from({ length: 5 }, () => launchAttempt(attemptId)));
    const runIds = launched.map((l) => l.runId).filter(Boolean);
    expect(runIds).toHaveLength(1);
    expect(await db.run.count({ where: { goal: "Raced" } })).toBe(1);
    const attempt = await db.taskAttempt.findUniqueOrThrow({ where: { id: attemptId } });
    expect(attempt.runId).toBe(runIds[0]);
    // Only the one run's credits left the payer (and the refused ones' rolled back).
    expect(await db.ledgerTransfer.count({ where: { memo: { contains: runIds[0]! } } })).toBeGreaterThanOrEqual(1);
    await user.caller.task.cancel({ id: task.id });
  });

  it("a worker SIGKILLed during dispatch: after a restart every task ends once, with no duplicate run", async () => {
    const { user, project: p } = await project("Crash");
    const first = await paddock.spawnWorker();
    const tasks = [];
    for (let i = 0; i < 8; i++) {
      tasks.push(
        await user.caller.task.create({
          projectId: p.id,
          title: `Crash task ${i}`,
          status: "ready",
          requiredSpecialization: "coder",
          agentConfig: { stepMs: 50, progressPerStep: 1 },
        }),
      );
    }
    const ids = tasks.map((t) => t.id);
    // Kill the worker as soon as its dispatcher has started on these tasks.
    await waitUntil(async () => (await db.taskAttempt.count({ where: { taskId: { in: ids } } })) > 0, "the first attempt", 60_000, 5);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const atKill = await db.taskAttempt.groupBy({ by: ["status"], where: { taskId: { in: ids } }, _count: { _all: true } });

    const second = await paddock.spawnWorker();
    await waitUntil(
      async () => (await db.task.count({ where: { id: { in: ids }, status: { in: ["done", "failed", "canceled"] } } })) === ids.length,
      "every task to end",
      120_000,
    );
    second.kill("SIGTERM");
    const ended = await db.task.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, attemptCount: true } });
    const attempts = await db.taskAttempt.findMany({
      where: { taskId: { in: ids } },
      select: { taskId: true, number: true, status: true, runId: true },
    });
    const runs = await db.run.findMany({
      where: { goal: { startsWith: "Crash task" }, workspaceId: p.workspaceId },
      select: { id: true },
    });
    // Every run belongs to exactly one attempt, and no attempt has more than one.
    expect(new Set(attempts.map((a) => a.runId).filter(Boolean)).size).toBe(runs.length);
    expect(runs.every((r) => attempts.some((a) => a.runId === r.id))).toBe(true);
    for (const t of ended) {
      const own = attempts.filter((a) => a.taskId === t.id);
      expect(own.map((a) => a.number).sort()).toEqual(Array.from({ length: t.attemptCount }, (_, i) => i + 1));
      // Ended once: one succeeded attempt at most, and the task's end agrees with it.
      expect(own.filter((a) => a.status === "succeeded").length).toBe(t.status === "done" ? 1 : 0);
      expect(own.filter((a) => a.status === "launching" || a.status === "running")).toHaveLength(0);
    }
    expect(atKill.length).toBeGreaterThan(0);
  });
});
