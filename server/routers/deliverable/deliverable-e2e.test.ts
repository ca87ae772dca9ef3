// End to end with builtin demo agents on the local provider (a whole Paddock: API, Socket.IO and
// workers): a task's result becomes a deliverable in the review queue; a revision request creates
// the revision task and dispatches it to the same agent, whose result is version 2, announced live;
// approving and delivering it moves the tasks to done. A rejection sends the task to another agent
// and counts the failure against the first.
import { describe, expect, it } from "vitest";
import type { DeliverableUpdateMessage } from "@shared/realtime";
import { FAST_TASK_TIMING, useTestPaddock, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, FAST_TASK_TIMING);

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { useSockets } = await import("../../test/live-socket");
const ctx = useTestPaddock();
const { socketFor } = useSockets(() => ctx.paddock.url);

const fast = { stepMs: 30, progressPerStep: 1, succeed: true };

async function setUp(name: string) {
  const owner = await makeUser({ grant: 50_000 });
  const workspaceId = (await owner.caller.workspace.create({ name })).id;
  const project = await owner.caller.project.create({ workspaceId, name: `${name} project`, brief: "Count to three." });
  return { owner, workspaceId, project };
}

/** The owner's socket in the workspace's room, gathering every deliverable:update. */
async function watch(userId: string, workspaceId: string) {
  const socket = await socketFor(userId);
  expect(await socket.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
  const seen: DeliverableUpdateMessage[] = [];
  socket.on("deliverable:update", (m) => seen.push(m));
  return seen;
}

describe("deliverables with the demo agent", () => {
  it("result → queue → revision to the same agent → version 2 live → approve → deliver → done", async () => {
    const { owner, workspaceId, project } = await setUp("Review loop");
    const seen = await watch(owner.id, workspaceId);
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Count to three",
      status: "ready",
      requiresReview: true,
      requiredSpecialization: "coding",
      targetValue: 3,
      agentConfig: fast,
    });
    const queued = await waitUntil(
      async () => (await owner.caller.deliverable.queue({ workspaceId })).find((q) => q.taskId === task.id),
      "the task's result in the review queue",
      90_000,
    );
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("review");
    const v1 = queued.version!;
    expect(v1).toMatchObject({ number: 1, status: "review", taskId: task.id, agentId: ctx.agentId });
    expect(v1.runId).toBeTruthy();
    expect(v1.body).toBeTruthy();
    await waitUntil(
      () => seen.some((m) => m.deliverableId === queued.id && m.latestVersion === 1 && m.status === "review"),
      "version 1 live",
    );

    const asked = await owner.caller.deliverable.requestRevision({ id: queued.id, version: 1, notes: "Count more slowly" });
    const revisionId = asked.taskId!;
    const attempt = await waitUntil(
      async () => db.taskAttempt.findFirst({ where: { taskId: revisionId } }),
      "the revision task to be dispatched",
      30_000,
    );
    expect(attempt.agentId).toBe(ctx.agentId);
    const v2seen = await waitUntil(
      () => seen.find((m) => m.deliverableId === queued.id && m.latestVersion === 2 && m.status === "review"),
      "version 2 to arrive live",
      90_000,
    );
    expect(v2seen).toMatchObject({ projectId: project.id, workspaceId });
    const got = await owner.caller.deliverable.get({ id: queued.id });
    expect(got.versions.map((v) => [v.number, v.status, v.taskId, v.agentId])).toEqual([
      [2, "review", revisionId, ctx.agentId],
      [1, "rejected", task.id, ctx.agentId],
    ]);
    expect(got.versions[1]!.notes).toBe("Count more slowly");
    expect(got.revisionCount).toBe(1);
    const queue = await owner.caller.deliverable.queue({ workspaceId });
    expect(queue.find((q) => q.id === queued.id)?.version?.number).toBe(2);

    expect(await owner.caller.deliverable.approve({ id: queued.id, version: 2 })).toMatchObject({ status: "approved" });
    expect(await owner.caller.deliverable.deliver({ id: queued.id, version: 2 })).toMatchObject({ status: "delivered" });
    const tasks = await db.task.findMany({ where: { id: { in: [task.id, revisionId] } }, orderBy: { createdAt: "asc" } });
    expect(tasks.map((t) => t.status)).toEqual(["done", "done"]);
    await waitUntil(() => seen.some((m) => m.deliverableId === queued.id && m.status === "delivered"), "delivered live");
    expect((await owner.caller.deliverable.queue({ workspaceId })).map((q) => q.id)).not.toContain(queued.id);
  });

  it("a rejection sends the task to another agent, counts the failure against the first, and the new result is version 2", async () => {
    const { owner, workspaceId, project } = await setUp("Rejections");
    const first = await owner.caller.agent.create({ workspaceId, name: "First scribe", kind: "builtin", specialization: "scribe" });
    const second = await owner.caller.agent.create({ workspaceId, name: "Second scribe", kind: "builtin", specialization: "scribe" });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Write it",
      status: "ready",
      requiresReview: true,
      requiredSpecialization: "scribe",
      agentId: first.id,
      agentConfig: fast,
    });
    const d = await waitUntil(
      async () => db.deliverable.findUnique({ where: { taskId: task.id } }),
      "the first result's deliverable",
      90_000,
    );
    expect(d.agentId).toBe(first.id);
    const before = await db.agent.findUniqueOrThrow({ where: { id: first.id } });
    await owner.caller.deliverable.reject({ id: d.id, reason: "Wrong count" });
    const after = await db.agent.findUniqueOrThrow({ where: { id: first.id } });
    expect([after.tasksCompleted, after.tasksFailed]).toEqual([before.tasksCompleted - 1, before.tasksFailed + 1]);
    const v2 = await waitUntil(
      async () => db.deliverableVersion.findFirst({ where: { deliverableId: d.id, number: 2 } }),
      "the second agent's version",
      90_000,
    );
    expect(v2.agentId).toBe(second.id);
    expect(v2.taskId).toBe(task.id);
    const attempts = await db.taskAttempt.findMany({ where: { taskId: task.id }, orderBy: { number: "asc" } });
    expect(attempts.map((a) => a.agentId)).toEqual([first.id, second.id]);
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).excludedAgentIds).toEqual([first.id]);
    expect(await db.deliverable.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({
      status: "review",
      latestVersion: 2,
      agentId: second.id,
    });
  });
});
