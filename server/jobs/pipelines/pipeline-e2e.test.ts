// End to end with the demo agent, no stand-ins: a three-step pipeline's tasks are dispatched by the
// real dispatcher to builtin agents, each step in its own run of the reference agent on the local
// provider, in dependency order; the second step's context snapshot holds the first step's output
// and no other task's; a step that finally fails stops its dependent and the pipeline shows where, and
// retrying it reopens the dependent; a pipeline canceled mid-step cancels the step's run.
import { describe, expect, it } from "vitest";
import { useTestPaddock, waitUntil } from "../../test/paddock-harness";
import type { ContextSnapshot } from "../../domain/tasks/context-sql";

Object.assign(process.env, { TASK_DISPATCH_EVERY_MS: "500", PIPELINE_SWEEP_EVERY_MS: "1000", LAUNCH_BACKOFF_MS: "50", LOG_LEVEL: "warn" });
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { personalWorkspaceId } = await import("../../domain/workspaces/personal");
const { wakeDispatch } = await import("../../commands/tasks");
useTestPaddock();

/** A member's project, and one demo builtin agent per specialization of the template, in their workspace. */
async function setUp(name: string) {
  const user = await makeUser({ grant: 100_000 });
  const workspaceId = (await personalWorkspaceId(db, user.id))!;
  const project = await user.caller.project.create({ workspaceId, name, brief: `Brief of ${name}` });
  return { user, workspaceId, project };
}

async function addAgents(workspaceId: string) {
  for (const specialization of ["researcher", "writer", "reviewer"]) {
    await db.agent.create({
      data: {
        slug: `${specialization}-${workspaceId}`,
        name: `Demo ${specialization}`,
        model: "demo",
        policy: "demo",
        specialization,
        workspaceId,
        maxConcurrentTasks: 3,
      },
    });
  }
  await wakeDispatch();
}

const pipelineEnded = (id: string) =>
  waitUntil(
    async () => {
      const p = await db.pipeline.findUniqueOrThrow({ where: { id } });
      return p.status !== "running" ? p : null;
    },
    "the pipeline to end",
    120_000,
    250,
  );

describe("a three-step pipeline with the demo agent", () => {
  it("runs its steps in dependency order, each in its own run, each step's context holding only its dependency's output", async () => {
    const { user, workspaceId, project } = await setUp("E2E");
    // An unrelated task of the same project, done, whose output must not leak into any step's context.
    const other = await db.task.create({
      data: { projectId: project.id, workspaceId, title: "Unrelated", status: "done", resultSummary: "SECRET-OTHER", createdById: user.id },
    });
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "agents" },
    });
    await addAgents(workspaceId);
    const pipeline = await pipelineEnded(id);
    expect(pipeline).toMatchObject({ status: "succeeded", failedStepKey: null });

    const steps = ["research", "draft", "review"] as const;
    const tasks = await Promise.all(
      steps.map((k) =>
        db.task.findUniqueOrThrow({
          where: { id: taskIds[k]! },
          include: { attempts: { include: { run: true, agent: true } } },
        }),
      ),
    );
    // Each step once, in its own run, by the agent of its specialization.
    for (const [i, t] of tasks.entries()) {
      expect(t.status).toBe("done");
      expect(t.attempts).toHaveLength(1);
      expect(t.attempts[0]!.run?.status).toBe("succeeded");
      expect(t.attempts[0]!.agent.specialization).toBe(["researcher", "writer", "reviewer"][i]);
    }
    expect(new Set(tasks.map((t) => t.attempts[0]!.runId)).size).toBe(3);
    // Dependency order: a step's run starts after the step before it finished.
    for (const i of [1, 2])
      expect(tasks[i]!.attempts[0]!.run!.createdAt.getTime()).toBeGreaterThanOrEqual(tasks[i - 1]!.finishedAt!.getTime());

    const draftContext = tasks[1]!.attempts[0]!.contextSnapshot as unknown as ContextSnapshot;
    expect(draftContext.project.brief).toBe("Brief of E2E");
    expect(draftContext.dependencies).toEqual([
      expect.objectContaining({ taskId: taskIds.research, summary: tasks[0]!.resultSummary, output: tasks[0]!.resultOutput }),
    ]);
    expect(JSON.stringify(draftContext)).not.toContain("SECRET-OTHER");
    expect(JSON.stringify(draftContext)).not.toContain(other.id);
    const researchContext = tasks[0]!.attempts[0]!.contextSnapshot as unknown as ContextSnapshot;
    expect(researchContext.dependencies).toEqual([]);

    const view = await user.caller.pipeline.get({ id });
    expect(view.steps.map((s) => [s.key, s.task?.status, s.task?.attempts.length])).toEqual([
      ["research", "done", 1],
      ["draft", "done", 1],
      ["review", "done", 1],
    ]);
  });

  it("a step that finally fails stops its dependent, and the pipeline shows where", async () => {
    const { user, workspaceId, project } = await setUp("E2E failing");
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "agents" },
    });
    // The draft's agent will not reach its target, and the step has no retry left.
    await db.task.update({ where: { id: taskIds.draft! }, data: { agentConfig: { succeed: false, stepMs: 50 }, maxRetries: 0 } });
    await addAgents(workspaceId);
    const pipeline = await pipelineEnded(id);
    expect(pipeline).toMatchObject({ status: "failed", failedStepKey: "draft" });
    const [research, draft, review] = await Promise.all(
      (["research", "draft", "review"] as const).map((k) =>
        db.task.findUniqueOrThrow({ where: { id: taskIds[k]! }, include: { attempts: true } }),
      ),
    );
    expect(research!.status).toBe("done");
    expect(draft!.status).toBe("failed");
    expect(review).toMatchObject({ status: "canceled", error: 'stopped: pipeline step "draft" failed' });
    expect(review!.attempts).toHaveLength(0);

    // Retrying the failed step (its agent fixed) reopens the review it stopped, and the pipeline runs to success.
    await db.task.update({ where: { id: taskIds.draft! }, data: { agentConfig: { stepMs: 50 } } });
    await user.caller.task.retry({ id: taskIds.draft! });
    expect(await db.task.findUniqueOrThrow({ where: { id: taskIds.review! } })).toMatchObject({ status: "ready", error: null });
    expect((await db.pipeline.findUniqueOrThrow({ where: { id } })).status).toBe("running");
    expect(await pipelineEnded(id)).toMatchObject({ status: "succeeded", failedStepKey: null, error: null });
    const after = await db.task.findMany({ where: { pipelineId: id }, include: { attempts: true }, orderBy: { createdAt: "asc" } });
    expect(after.map((t) => [t.stepKey, t.status, t.attempts.map((a) => a.status)])).toEqual([
      ["research", "done", ["succeeded"]],
      ["draft", "done", ["failed", "succeeded"]],
      ["review", "done", ["succeeded"]],
    ]);
  });

  it("pipeline.cancel while a step's run is going: the run is canceled with its task, and nothing else starts", async () => {
    const { user, workspaceId, project } = await setUp("E2E canceled");
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "agents" },
    });
    // A slow research step, so its run is still going when the pipeline is canceled.
    await db.task.update({ where: { id: taskIds.research! }, data: { agentConfig: { stepMs: 5_000 } } });
    await addAgents(workspaceId);
    const attempt = await waitUntil(
      () => db.taskAttempt.findFirst({ where: { taskId: taskIds.research!, runId: { not: null } } }),
      "the research step's run",
      60_000,
      100,
    );
    await user.caller.pipeline.cancel({ id });
    expect((await db.pipeline.findUniqueOrThrow({ where: { id } })).status).toBe("canceled");
    await waitUntil(
      async () => (await db.run.findUniqueOrThrow({ where: { id: attempt.runId! } })).status === "canceled",
      "the step's run to be canceled",
      30_000,
    );
    // Past a dispatch pass and a sweep: still nothing more ran.
    await new Promise((r) => setTimeout(r, 2_000));
    const tasks = await db.task.findMany({ where: { pipelineId: id }, include: { attempts: true } });
    expect(tasks.map((t) => t.status)).toEqual(["canceled", "canceled", "canceled"]);
    expect(tasks.flatMap((t) => t.attempts.map((a) => a.status))).toEqual(["canceled"]);
    expect((await db.pipeline.findUniqueOrThrow({ where: { id } })).status).toBe("canceled");
  });
});
