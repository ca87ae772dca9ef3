// A worker SIGKILLed in the middle of a pipeline: the state is in PostgreSQL, so once a worker is
// back (its job schedulers, the dispatcher's and the pipeline sweep, re-run what was cut short)
// every step's task ends exactly once, the pipeline succeeds, and no attempt ever had two runs.
import { describe, expect, it } from "vitest";
import { useApiWithKillableWorkers, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, {
  WORKER_LOCK_MS: "2000",
  LAUNCH_BACKOFF_MS: "100",
  TASK_DISPATCH_EVERY_MS: "500",
  PIPELINE_SWEEP_EVERY_MS: "1000",
  PROCESS_WATCH_EVERY_MS: "1000",
});

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { personalWorkspaceId } = await import("../../domain/workspaces/personal");

// The API runs here; workers run in child processes this test can kill.
const paddock = useApiWithKillableWorkers();

describe("a worker killed during a pipeline", () => {
  it("loses nothing: every step ends once, in its own run, and the pipeline succeeds", async () => {
    const user = await makeUser({ grant: 100_000 });
    const workspaceId = (await personalWorkspaceId(db, user.id))!;
    const project = await user.caller.project.create({ workspaceId, name: "Crash", brief: "survive" });
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "crashes" },
    });
    for (const specialization of ["researcher", "writer", "reviewer"]) {
      await db.agent.create({
        data: {
          slug: `crash-${specialization}-${workspaceId}`,
          name: specialization,
          model: "demo",
          policy: "demo",
          specialization,
          workspaceId,
        },
      });
    }
    const first = await paddock.spawnWorker();
    // Kill it while the second step is being worked on.
    await waitUntil(
      async () => ["running", "review"].includes((await db.task.findUniqueOrThrow({ where: { id: taskIds.draft! } })).status),
      "the draft step to be running",
      90_000,
      20,
    );
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));

    const second = await paddock.spawnWorker();
    const pipeline = await waitUntil(
      async () => {
        const p = await db.pipeline.findUniqueOrThrow({ where: { id } });
        return p.status !== "running" ? p : null;
      },
      "the pipeline to end after the restart",
      150_000,
      250,
    );
    expect(pipeline.status).toBe("succeeded");

    const tasks = await db.task.findMany({ where: { pipelineId: id }, include: { attempts: true } });
    expect(tasks.map((t) => t.status)).toEqual(["done", "done", "done"]);
    for (const t of tasks) {
      // Each attempt has at most one run, and no run serves two attempts; at most one attempt succeeded.
      const runIds = t.attempts.map((a) => a.runId).filter((r): r is string => r !== null);
      expect(new Set(runIds).size).toBe(runIds.length);
      expect(t.attempts.filter((a) => a.status === "succeeded")).toHaveLength(1);
      // Every run made for the task belongs to one of its attempts (no stray duplicate launch).
      const runsOfTask = await db.run.count({ where: { taskAttempt: { taskId: t.id } } });
      expect(runsOfTask).toBe(runIds.length);
    }
    // Only one live attempt at a time per task: no attempt started while an earlier one was still going.
    for (const t of tasks) {
      const sorted = [...t.attempts].sort((a, b) => a.number - b.number);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(sorted[i - 1]!.finishedAt!.getTime());
    }
    second.kill("SIGTERM");
  }, 300_000);
});
