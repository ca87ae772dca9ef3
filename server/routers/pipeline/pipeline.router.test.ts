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
