// pipeline.* through createCaller on a real database: start makes a task per step with the
// template's dependencies in one transaction; steps end as the core's task paths end them
// (simulated here by setting the task's status, then calling the hook they call); a finally failed
// step stops its dependents and the pipeline shows where; batches start once per idempotency key;
// who may see and start. (The demo agent running a pipeline end to end: pipeline-e2e.test.ts.)
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { personalWorkspaceId } from "../../domain/workspaces/personal";
import { pipelineTaskChanged } from "../../commands/pipelines";
import { expandBatchNow } from "../../jobs/pipelines/pipeline-flow";
import { claimTaskForAgent, reportTaskResult } from "../../commands/tasks";

async function owner() {
  const user = await makeUser();
  const workspaceId = (await personalWorkspaceId(db, user.id))!;
  const project = await db.project.create({ data: { workspaceId, name: "Launch", brief: "Our launch", createdById: user.id } });
  return { user, workspaceId, project };
}

async function endTask(taskId: string, status: "done" | "failed", output?: object) {
  await db.task.update({
    where: { id: taskId },
    data: {
      status,
      resultSummary: status === "done" ? "ok" : null,
      resultOutput: output ?? {},
      error: status === "failed" ? "agent gave up" : null,
      finishedAt: new Date(),
    },
  });
  await pipelineTaskChanged(taskId);
}

describe("pipeline.templates and pipeline.start", () => {
  it("lists the shipped templates", async () => {
    const { user } = await owner();
    const templates = await user.caller.pipeline.templates();
    expect(templates.map((t) => t.key)).toEqual(["research-draft-review", "outreach"]);
  });

  it("creates one task per step with the template's dependencies, agent steps ready", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "agents" },
    });
    const tasks = await db.task.findMany({
      where: { pipelineId: id },
      select: {
        id: true,
        stepKey: true,
        status: true,
        description: true,
        requiredSpecialization: true,
        dependsOn: { select: { dependsOnId: true } },
      },
    });
    const byKey = Object.fromEntries(tasks.map((t) => [t.stepKey, t]));
    expect(Object.keys(byKey).sort()).toEqual(["draft", "research", "review"]);
    expect(byKey.research!.dependsOn).toEqual([]);
    expect(byKey.draft!.dependsOn).toEqual([{ dependsOnId: taskIds.research }]);
    expect(byKey.review!.dependsOn).toEqual([{ dependsOnId: taskIds.draft }]);
    expect(tasks.every((t) => t.status === "ready")).toBe(true);
    expect(byKey.research!.description).toMatch(/Research agents/);
    expect(byKey.research!.requiredSpecialization).toBe("researcher");

    const view = await user.caller.pipeline.get({ id });
    expect(view).toMatchObject({ status: "running", phase: "pending", templateKey: "research-draft-review" });
    expect(view.steps.map((s) => [s.key, s.task?.status])).toEqual([
      ["research", "ready"],
      ["draft", "ready"],
      ["review", "ready"],
    ]);
  });

  it("refuses an unknown template or a bad input, naming the field, and makes nothing", async () => {
    const { user, project } = await owner();
    expect(await rejection(user.caller.pipeline.start({ projectId: project.id, templateId: "nope", input: {} }))).toMatchObject({
      code: "NOT_FOUND",
      field: "templateId",
    });
    expect(
      await rejection(user.caller.pipeline.start({ projectId: project.id, templateId: "outreach", input: { prospect: "Ada" } })),
    ).toMatchObject({
      code: "BAD_REQUEST",
      field: "input.offer",
    });
    expect(await db.pipeline.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.task.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("someone outside the workspace gets NOT_FOUND; a viewer may read but not start", async () => {
    const { user, workspaceId, project } = await owner();
    const { id } = await user.caller.pipeline.start({ projectId: project.id, templateId: "research-draft-review", input: { topic: "x" } });
    const stranger = await makeUser();
    expect(await rejection(stranger.caller.pipeline.get({ id }))).toMatchObject({ code: "NOT_FOUND", field: "id" });
    expect(
      await rejection(
        stranger.caller.pipeline.start({ projectId: project.id, templateId: "research-draft-review", input: { topic: "x" } }),
      ),
    ).toMatchObject({ code: "NOT_FOUND", field: "projectId" });
    const viewer = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
    expect((await viewer.caller.pipeline.get({ id })).id).toBe(id);
    expect(
      await rejection(viewer.caller.pipeline.start({ projectId: project.id, templateId: "research-draft-review", input: { topic: "x" } })),
    ).toMatchObject({ code: "FORBIDDEN", field: "projectId" });
  });
});

describe("a pipeline's progress", () => {
  it("succeeds when every step is done", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "x" },
    });
    await endTask(taskIds.research!, "done");
    expect((await user.caller.pipeline.get({ id })).status).toBe("running");
    await endTask(taskIds.draft!, "done");
    await endTask(taskIds.review!, "done");
    expect(await user.caller.pipeline.get({ id })).toMatchObject({ status: "succeeded", phase: "done", failedStepKey: null });
  });

  it("a step that finally fails stops its dependents, and the pipeline shows where", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "research-draft-review",
      input: { topic: "x" },
    });
    await endTask(taskIds.research!, "done");
    await endTask(taskIds.draft!, "failed");
    const view = await user.caller.pipeline.get({ id });
    expect(view).toMatchObject({ status: "failed", failedStepKey: "draft", phase: "failed" });
    expect(view.error).toMatch(/step "draft" failed: agent gave up/);
    const review = view.steps.find((s) => s.key === "review")!.task!;
    expect(review).toMatchObject({ status: "canceled", error: 'stopped: pipeline step "draft" failed' });
    // Repeating the hook changes nothing.
    await pipelineTaskChanged(taskIds.draft!);
    expect(await db.task.count({ where: { pipelineId: id, status: "canceled" } })).toBe(1);
  });

  it("the outreach render step waits in backlog, out of the dispatcher's reach, until its dependencies are done", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await user.caller.pipeline.start({
      projectId: project.id,
      templateId: "outreach",
      input: { prospect: "Ada", offer: "a demo" },
    });
    const render = await db.task.findUniqueOrThrow({ where: { id: taskIds.render! } });
    expect(render.status).toBe("backlog");
    await endTask(taskIds["research-prospect"]!, "done");
    await endTask(taskIds["write-script"]!, "done");
    expect((await db.task.findUniqueOrThrow({ where: { id: taskIds.render! } })).status).toBe("backlog");
    await endTask(taskIds["generate-assets"]!, "done", { slides: 3 });
    // Its dependencies done, Paddock starts it: running, attempt 1 recorded.
    const view = await user.caller.pipeline.get({ id });
    const step = view.steps.find((s) => s.key === "render")!;
    expect(step.external).toBe("render");
    expect(step.task!.status).toBe("running");
    expect(step.task!.externalJobs).toMatchObject([{ attempt: 1, maxAttempts: 3 }]);
  });
});

describe("pipeline.startBatch", () => {
  const inputs = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `topic ${i}` }));

  it("a double click (or 5 concurrent calls) starts one batch; its pipelines are made once per input", async () => {
    const { user, project } = await owner();
    const args = { projectId: project.id, templateId: "research-draft-review", inputs: inputs(12), idempotencyKey: "campaign-2026-12-02" };
    const results = await Promise.all(Array.from({ length: 5 }, () => user.caller.pipeline.startBatch(args)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const batchId = results[0]!.id;
    // Two expansions racing (the job and the sweep) make each input's pipeline once.
    await Promise.all([expandBatchNow(batchId), expandBatchNow(batchId)]);
    expect(await db.pipeline.count({ where: { batchId } })).toBe(12);
    expect(await db.task.count({ where: { pipeline: { batchId } } })).toBe(36);
    expect(await user.caller.pipeline.batch({ id: batchId })).toMatchObject({
      inputsCount: 12,
      status: "running",
      counts: { pending: 12, running: 0, done: 0, failed: 0 },
    });

    // The same key for another batch is refused, naming the field.
    expect(await rejection(user.caller.pipeline.startBatch({ ...args, inputs: inputs(3) }))).toMatchObject({
      code: "CONFLICT",
      field: "idempotencyKey",
    });
  });

  it("counts follow the pipelines, and the batch completes when every pipeline has ended", async () => {
    const { user, project } = await owner();
    const { id: batchId } = await user.caller.pipeline.startBatch({
      projectId: project.id,
      templateId: "research-draft-review",
      inputs: inputs(3),
      idempotencyKey: "small-batch-1",
    });
    await expandBatchNow(batchId);
    const pipelines = await db.pipeline.findMany({ where: { batchId }, orderBy: { batchIndex: "asc" }, select: { id: true } });
    const tasksOf = async (pipelineId: string) =>
      Object.fromEntries(
        (await db.task.findMany({ where: { pipelineId }, select: { id: true, stepKey: true } })).map((t) => [t.stepKey, t.id]),
      );
    const [a, b, c] = await Promise.all(pipelines.map((p) => tasksOf(p.id)));
    await db.task.update({ where: { id: a!.research }, data: { status: "running" } });
    await pipelineTaskChanged(a!.research);
    expect((await user.caller.pipeline.batch({ id: batchId })).counts).toEqual({ pending: 2, running: 1, done: 0, failed: 0 });
    for (const k of ["research", "draft", "review"]) await endTask(a![k], "done");
    await endTask(b!.research, "failed");
    expect(await user.caller.pipeline.batch({ id: batchId })).toMatchObject({
      status: "running",
      counts: { pending: 1, running: 0, done: 1, failed: 1 },
    });
    for (const k of ["research", "draft", "review"]) await endTask(c![k], "done");
    expect(await user.caller.pipeline.batch({ id: batchId })).toMatchObject({
      status: "completed",
      counts: { pending: 0, running: 0, done: 2, failed: 1 },
    });
  });

  it("a campaign of 200 prospects: one outreach pipeline (five tasks) per prospect, counted pending", async () => {
    const { user, project } = await owner();
    const prospects = Array.from({ length: 200 }, (_, i) => ({ prospect: `Prospect ${i}`, offer: "a demo" }));
    const { id } = await user.caller.pipeline.startBatch({
      projectId: project.id,
      templateId: "outreach",
      inputs: prospects,
      idempotencyKey: "campaign-200",
    });
    expect(await expandBatchNow(id)).toBe(200);
    expect(await db.task.count({ where: { pipeline: { batchId: id } } })).toBe(1_000);
    expect(await user.caller.pipeline.batch({ id })).toMatchObject({
      inputsCount: 200,
      counts: { pending: 200, running: 0, done: 0, failed: 0 },
    });
  });

  it("refuses a bad input naming its index and field, and makes nothing", async () => {
    const { user, project } = await owner();
    const bad = await rejection(
      user.caller.pipeline.startBatch({
        projectId: project.id,
        templateId: "outreach",
        inputs: [{ prospect: "A", offer: "x" }, { prospect: "B" }],
        idempotencyKey: "bad-batch-1",
      }),
    );
    expect(bad).toMatchObject({ code: "BAD_REQUEST", field: "inputs.1.offer" });
    expect(await db.pipelineBatch.count({ where: { projectId: project.id } })).toBe(0);
  });
});

/** A research → draft → review pipeline in the project. */
const startThreeSteps = (user: Awaited<ReturnType<typeof makeUser>>, projectId: string) =>
  user.caller.pipeline.start({ projectId, templateId: "research-draft-review", input: { topic: "x" } });

/** An outreach pipeline whose agents' steps before the render are done (the render step started). */
async function outreachAtRender(user: Awaited<ReturnType<typeof makeUser>>, projectId: string) {
  const started = await user.caller.pipeline.start({ projectId, templateId: "outreach", input: { prospect: "Ada", offer: "a demo" } });
  for (const k of ["research-prospect", "write-script", "generate-assets"]) await endTask(started.taskIds[k]!, "done");
  return started;
}

/** An external agent of the workspace that takes the given specialization's steps. */
async function externalAgent(workspaceId: string, specialization: string) {
  return db.agent.create({
    data: {
      slug: `ext-${specialization}-${workspaceId}`,
      name: `External ${specialization}`,
      kind: "external",
      model: "external",
      specialization,
      workspaceId,
      status: "available",
      heartbeatAt: new Date(),
    },
  });
}

const claim = (agent: { id: string; workspaceId: string | null }) =>
  claimTaskForAgent({ agentId: agent.id, workspaceId: agent.workspaceId!, waitSeconds: 0, signal: new AbortController().signal });

describe("pipeline.cancel", () => {
  it("cancels the open steps' tasks, ends an external agent's live attempt, and the pipeline; its late result is refused", async () => {
    const { user, workspaceId, project } = await owner();
    const { id, taskIds } = await startThreeSteps(user, project.id);
    const agent = await externalAgent(workspaceId, "researcher");
    const claimed = await claim(agent);
    expect(claimed?.taskId).toBe(taskIds.research);

    expect(await user.caller.pipeline.cancel({ id })).toMatchObject({ id, status: "canceled" });
    const view = await user.caller.pipeline.get({ id });
    expect(view).toMatchObject({ status: "canceled", phase: "failed" });
    expect(view.steps.map((s) => s.task?.status)).toEqual(["canceled", "canceled", "canceled"]);
    expect(await db.taskAttempt.findUniqueOrThrow({ where: { id: claimed!.attemptId } })).toMatchObject({
      status: "canceled",
      leaseExpiresAt: null,
    });
    // The agent's result arrives too late: refused, nothing moves.
    await expect(
      reportTaskResult({ agentId: agent.id, taskId: taskIds.research!, body: { outcome: "succeeded", summary: "done" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await db.task.findUniqueOrThrow({ where: { id: taskIds.research! } })).status).toBe("canceled");
    // The sweep's advance leaves a canceled pipeline alone; nothing is dispatched any more.
    await pipelineTaskChanged(taskIds.research!);
    expect(await claim(agent)).toBeNull();
    // Canceling again, or an ended pipeline: refused, naming the id.
    expect(await rejection(user.caller.pipeline.cancel({ id }))).toMatchObject({ code: "CONFLICT", field: "id" });
  });

  it("keeps the steps that already ended, closes an open render job, and a canceled pipeline's steps are not retried one by one", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await outreachAtRender(user, project.id);
    const render = await db.pipelineExternalJob.findFirstOrThrow({ where: { taskId: taskIds.render! } });
    expect(render.status).toBe("starting");
    await user.caller.pipeline.cancel({ id });
    const tasks = await db.task.findMany({ where: { pipelineId: id }, select: { stepKey: true, status: true, error: true } });
    expect(Object.fromEntries(tasks.map((t) => [t.stepKey, t.status]))).toEqual({
      "research-prospect": "done",
      "write-script": "done",
      "generate-assets": "done",
      render: "canceled",
      deliver: "canceled",
    });
    expect(tasks.find((t) => t.stepKey === "deliver")!.error).toBe("canceled: its pipeline was canceled");
    expect(await db.pipelineExternalJob.findUniqueOrThrow({ where: { id: render.id } })).toMatchObject({ status: "failed" });
    expect(await rejection(user.caller.task.retry({ id: taskIds.render! }))).toMatchObject({ code: "CONFLICT", field: "id" });
  });

  it("who may cancel: owners and members; viewers are refused; outsiders and unknown ids get NOT_FOUND", async () => {
    const { user, workspaceId, project } = await owner();
    const start = () => startThreeSteps(user, project.id);
    const member = await makeUser();
    const viewer = await makeUser();
    const stranger = await makeUser();
    await db.workspaceMember.createMany({
      data: [
        { workspaceId, userId: member.id, role: "member" },
        { workspaceId, userId: viewer.id, role: "viewer" },
      ],
    });
    const rows: [string, typeof user, "ok" | "FORBIDDEN" | "NOT_FOUND"][] = [
      ["owner", user, "ok"],
      ["member", member, "ok"],
      ["viewer", viewer, "FORBIDDEN"],
      ["outsider", stranger, "NOT_FOUND"],
    ];
    for (const [who, caller, expected] of rows) {
      const { id } = await start();
      const outcome = await caller.caller.pipeline.cancel({ id }).then(
        () => "ok",
        (e: { code?: string }) => e.code,
      );
      expect([who, outcome]).toEqual([who, expected]);
      expect([who, (await db.pipeline.findUniqueOrThrow({ where: { id } })).status]).toEqual([
        who,
        expected === "ok" ? "canceled" : "running",
      ]);
    }
    expect(await rejection(user.caller.pipeline.cancel({ id: "no-such-pipeline" }))).toMatchObject({ code: "NOT_FOUND", field: "id" });
  });
});

describe("task.retry of a failed step", () => {
  it("reopens the steps its failure stopped and the pipeline runs again, to success", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await startThreeSteps(user, project.id);
    await endTask(taskIds.research!, "done");
    await endTask(taskIds.draft!, "failed");
    expect(await user.caller.pipeline.get({ id })).toMatchObject({ status: "failed", failedStepKey: "draft" });

    expect(await user.caller.task.retry({ id: taskIds.draft! })).toMatchObject({ status: "ready" });
    const view = await user.caller.pipeline.get({ id });
    expect(view).toMatchObject({ status: "running", failedStepKey: null, error: null, finishedAt: null });
    expect(view.steps.map((s) => [s.key, s.task?.status, s.task?.error])).toEqual([
      ["research", "done", null],
      ["draft", "ready", null],
      ["review", "ready", null],
    ]);
    await endTask(taskIds.draft!, "done");
    await endTask(taskIds.review!, "done");
    expect(await user.caller.pipeline.get({ id })).toMatchObject({ status: "succeeded", failedStepKey: null });
  });

  it("an external step's retry goes back to Paddock (backlog), which starts it again with a fresh attempt", async () => {
    const { user, project } = await owner();
    const { id, taskIds } = await outreachAtRender(user, project.id);
    // The render step finally failed (its three attempts spent) and stopped the delivery.
    await db.pipelineExternalJob.updateMany({ where: { taskId: taskIds.render! }, data: { status: "failed" } });
    await db.pipelineExternalJob.createMany({
      data: [2, 3].map((attempt) => ({
        pipelineId: id,
        taskId: taskIds.render!,
        attempt,
        maxAttempts: 3,
        service: "render",
        status: "failed" as const,
        startAfter: new Date(),
        timeoutAt: new Date(),
        pollEveryMs: 1000,
      })),
    });
    await endTask(taskIds.render!, "failed");
    expect((await db.task.findUniqueOrThrow({ where: { id: taskIds.deliver! } })).status).toBe("canceled");

    await user.caller.task.retry({ id: taskIds.render! });
    const view = await user.caller.pipeline.get({ id });
    expect(view.status).toBe("running");
    const render = view.steps.find((s) => s.key === "render")!.task!;
    expect(render.status).toBe("running");
    expect(render.externalJobs.map((j) => [j.attempt, j.maxAttempts, j.status])).toEqual([
      [1, 3, "failed"],
      [2, 3, "failed"],
      [3, 3, "failed"],
      [4, 6, "starting"],
    ]);
    expect(view.steps.find((s) => s.key === "deliver")!.task!.status).toBe("ready");
  });
});
