// task:update goes to the workspace's room, which only its members may join; batch:update follows each
// step of a batch's pipelines as it changes.
import { describe, expect, it } from "vitest";
import type { BatchUpdateMessage, TaskUpdatesMessage } from "@shared/realtime";
import type { ClientSocket } from "../test/live-socket";
import { useTestPaddock, waitUntil } from "../test/paddock-harness";

const { makeUser } = await import("../test/helpers");
const { db } = await import("../lib/db");
const { useSockets } = await import("../test/live-socket");

const api = useTestPaddock({ role: "api" });
const { socketFor } = useSockets(() => api.paddock.url);

const nextUpdate = (s: ClientSocket, ms: number) =>
  new Promise<TaskUpdatesMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    s.once("task:update", (m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });

describe("task:update", () => {
  it("reaches the workspace's members, viewers included, and nobody else", async () => {
    const owner = await makeUser();
    const viewer = await makeUser();
    const outsider = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Live" })).id;
    await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
    const [v, o] = await Promise.all([socketFor(viewer.id), socketFor(outsider.id)]);
    expect(await v.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
    expect(await o.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toMatchObject({ ok: false });

    const project = await owner.caller.project.create({ workspaceId, name: "Board" });
    const seen = nextUpdate(v, 5000);
    const strayed = nextUpdate(o, 1000);
    const task = await owner.caller.task.create({ projectId: project.id, title: "Watched", status: "ready" });
    expect(await seen).toEqual({
      workspaceId,
      updates: [expect.objectContaining({ taskId: task.id, projectId: project.id, workspaceId, status: "ready" })],
    });
    expect(await strayed).toBeNull();
  });

  it("carries the changes of one moment as one message, in the order they happened", async () => {
    const { publishTaskChange } = await import("../commands/task-effects");
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Moment" })).id;
    const project = await owner.caller.project.create({ workspaceId, name: "Board" });
    const tasks = await Promise.all(["one", "two", "three"].map((title) => owner.caller.task.create({ projectId: project.id, title })));
    const s = await socketFor(owner.id);
    expect(await s.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
    const received: TaskUpdatesMessage[] = [];
    s.on("task:update", (m) => received.push(m));

    // As a claim statement's answers arrive: in one turn of the event loop.
    const statuses = ["running", "done", "ready"] as const;
    tasks.forEach((t, i) =>
      publishTaskChange({
        id: t.id,
        projectId: project.id,
        workspaceId,
        status: statuses[i]!,
        priority: 3,
        assignedAgentId: null,
        attemptCount: i,
        updatedAt: new Date(),
        pipelineId: null,
      }),
    );
    await waitUntil(() => received.length > 0, "the task:update", 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([
      { workspaceId, updates: tasks.map((t, i) => expect.objectContaining({ taskId: t.id, projectId: project.id, status: statuses[i] })) },
    ]);
  });
});

describe("batch:update", () => {
  it("moves with each step and pipeline change, without waiting for a sweep (no worker runs here)", async () => {
    const { claimTaskForAgent, reportTaskResult } = await import("../commands/tasks");
    const { expandBatchNow } = await import("../jobs/pipelines/pipeline-flow");
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Campaign" })).id;
    const socket = await socketFor(owner.id);
    expect(await socket.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
    const seen: BatchUpdateMessage[] = [];
    socket.on("batch:update", (m) => seen.push(m));

    const project = await owner.caller.project.create({ workspaceId, name: "Campaign" });
    const { id: batchId } = await owner.caller.pipeline.startBatch({
      projectId: project.id,
      templateId: "research-draft-review",
      inputs: [{ topic: "one" }, { topic: "two" }],
      idempotencyKey: "live-counts-1",
    });
    await expandBatchNow(batchId);
    const agents = Object.fromEntries(
      await Promise.all(
        ["researcher", "writer", "reviewer"].map(async (specialization) => [
          specialization,
          await db.agent.create({
            data: {
              slug: `live-${specialization}-${workspaceId}`,
              name: specialization,
              kind: "external",
              model: "x",
              specialization,
              workspaceId,
            },
          }),
        ]),
      ),
    );
    const signal = new AbortController().signal;
    const claim = (specialization: string) =>
      claimTaskForAgent({ agentId: agents[specialization]!.id, workspaceId, waitSeconds: 0, signal }).then((c) => c!);
    const counted = async (counts: BatchUpdateMessage["counts"], status = "running") => {
      await waitUntil(
        () => seen.some((m) => m.batchId === batchId && m.status === status && JSON.stringify(m.counts) === JSON.stringify(counts)),
        `batch:update with ${JSON.stringify(counts)}`,
        5_000,
        20,
      );
      expect(await owner.caller.pipeline.batch({ id: batchId })).toMatchObject({ status, counts });
    };

    const research = await claim("researcher");
    await counted({ pending: 1, running: 1, done: 0, failed: 0 });
    const first = (await db.task.findUniqueOrThrow({ where: { id: research.taskId } })).pipelineId!;
    const other = await db.pipeline.findFirstOrThrow({ where: { batchId, id: { not: first } } });
    await owner.caller.pipeline.cancel({ id: other.id });
    await counted({ pending: 0, running: 1, done: 0, failed: 1 });
    await reportTaskResult({ agentId: agents.researcher!.id, taskId: research.taskId, body: { outcome: "succeeded", summary: "facts" } });
    for (const specialization of ["writer", "reviewer"]) {
      const c = await claim(specialization);
      await reportTaskResult({ agentId: agents[specialization]!.id, taskId: c.taskId, body: { outcome: "succeeded", summary: "ok" } });
    }
    await counted({ pending: 0, running: 0, done: 1, failed: 1 }, "completed");
  });
});
