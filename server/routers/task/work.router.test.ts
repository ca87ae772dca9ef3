// agent.*, project.* and task.* through createCaller: site builtins, validation naming fields,
// dependency cycles, priorities, subtasks, keys. Who may call what is in the one table of
// server/routers/authorization.matrix.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { codeOf, makeUser, rejection } from "../../test/helpers";
import { ensureBuiltinAgents } from "../../domain/agents/builtin";
import { hashToken } from "../../lib/passwords";

type User = Awaited<ReturnType<typeof makeUser>>;
let owner: User;
let workspaceId: string;
let viewer: User;

beforeAll(async () => {
  await ensureBuiltinAgents(db);
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Studio" })).id;
  viewer = await makeUser();
  await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
});

describe("agents", () => {
  it("site builtins are listed to every member, and only site operators manage them", async () => {
    const list = await viewer.caller.agent.list({ workspaceId });
    const demo = list.find((a) => a.slug === "demo-gpt");
    expect(demo?.workspaceId).toBeNull();
    expect(await codeOf(owner.caller.agent.update({ id: demo!.id, description: "mine now" }))).toBe("FORBIDDEN");
    expect(await codeOf(owner.caller.agent.create({ workspaceId: null, name: "Site", kind: "builtin" }))).toBe("FORBIDDEN");
    const operator = await makeUser({ role: "operator" });
    expect(await codeOf(operator.caller.agent.update({ id: demo!.id, maxConcurrentTasks: 10 }))).toBe("ok");
  });
});

describe("tasks", () => {
  it("refuse bad input naming the field, and change nothing", async () => {
    const project = await owner.caller.project.create({ workspaceId, name: "Validation" });
    const before = await db.task.count();
    expect(await rejection(owner.caller.task.create({ projectId: project.id, title: "T", priority: 9 }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "priority",
    });
    expect(await rejection(owner.caller.task.create({ projectId: project.id, title: "" }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "title",
    });
    expect(await rejection(owner.caller.task.create({ projectId: project.id, title: "T", dependsOn: ["nope"] }))).toMatchObject({
      code: "NOT_FOUND",
      field: "dependsOn",
    });
    expect(await db.task.count()).toBe(before);
  });

  it("refuse a dependency cycle, direct or longer, and keep the dependencies as they were", async () => {
    const project = await owner.caller.project.create({ workspaceId, name: "Cycles" });
    const a = await owner.caller.task.create({ projectId: project.id, title: "A" });
    const b = await owner.caller.task.create({ projectId: project.id, title: "B", dependsOn: [a.id] });
    const c = await owner.caller.task.create({ projectId: project.id, title: "C", dependsOn: [b.id] });
    expect(await rejection(owner.caller.task.update({ id: a.id, dependsOn: [c.id] }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "dependsOn",
    });
    expect(await rejection(owner.caller.task.update({ id: a.id, dependsOn: [a.id] }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "dependsOn",
    });
    expect(await db.taskDependency.count({ where: { taskId: a.id } })).toBe(0);
    // A dependency across projects is refused too.
    const other = await owner.caller.project.create({ workspaceId, name: "Elsewhere" });
    const x = await owner.caller.task.create({ projectId: other.id, title: "X" });
    expect(await rejection(owner.caller.task.update({ id: a.id, dependsOn: [x.id] }))).toMatchObject({
      code: "NOT_FOUND",
      field: "dependsOn",
    });
  });

  it("derive their priority from the deadline and type, unless overridden, and follow a new deadline", async () => {
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const project = await owner.caller.project.create({ workspaceId, name: "Deadline", deadline: soon });
    const plain = await owner.caller.task.create({ projectId: project.id, title: "Plain" });
    const revision = await owner.caller.task.create({ projectId: project.id, title: "Fix", type: "revision" });
    const pinned = await owner.caller.task.create({ projectId: project.id, title: "Pinned", priority: 1 });
    expect([plain.priority, revision.priority, pinned.priority]).toEqual([4, 5, 1]);
    expect(pinned.priorityOverride).toBe(true);
    await owner.caller.project.update({ id: project.id, deadline: new Date(Date.now() + 200 * 24 * 3600 * 1000) });
    const after = await owner.caller.task.list({ projectId: project.id });
    expect(Object.fromEntries(after.map((t) => [t.title, t.priority]))).toEqual({ Plain: 1, Fix: 5, Pinned: 1 });
    const back = await owner.caller.task.update({ id: pinned.id, priority: null });
    expect(back).toMatchObject({ priority: 1, priorityOverride: false });
  });

  it("have subtasks, and moves by hand follow the rules", async () => {
    const project = await owner.caller.project.create({ workspaceId, name: "Tree" });
    const parent = await owner.caller.task.create({ projectId: project.id, title: "Parent" });
    await owner.caller.task.create({ projectId: project.id, title: "Child", parentTaskId: parent.id });
    const got = await viewer.caller.task.get({ id: parent.id });
    expect(got.subtasks.map((s) => s.title)).toEqual(["Child"]);
    expect(await rejection(owner.caller.task.update({ id: parent.id, status: "done" }))).toMatchObject({
      code: "CONFLICT",
      field: "status",
    });
    expect((await owner.caller.task.update({ id: parent.id, status: "ready" })).status).toBe("ready");
    expect((await owner.caller.task.cancel({ id: parent.id })).status).toBe("canceled");
    expect(await rejection(owner.caller.task.cancel({ id: parent.id }))).toMatchObject({ code: "CONFLICT" });
    expect((await owner.caller.task.retry({ id: parent.id })).status).toBe("ready");
  });
});

describe("agent keys", () => {
  it("are shown once, stored hashed with a sealed secret, and revocable", async () => {
    const agent = await owner.caller.agent.create({ workspaceId, name: "Keyed", kind: "external", specialization: "writer" });
    expect(agent.status).toBe("offline");
    const key = await owner.caller.agent.createKey({ agentId: agent.id, name: "laptop" });
    expect(key.key).toMatch(/^pk_/);
    expect(key.signingSecret).toMatch(/^whsec_/);
    const row = await db.agentKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.keyHash).toBe(hashToken(key.key));
    expect(JSON.stringify(row)).not.toContain(key.key);
    expect(row.signingSecretSealed).not.toContain(key.signingSecret.slice(6));
    const got = await owner.caller.agent.get({ id: agent.id });
    expect(JSON.stringify(got)).not.toContain(key.key);
    expect(got.keys).toHaveLength(1);
    await owner.caller.agent.revokeKey({ agentId: agent.id, keyId: key.id });
    expect((await db.agentKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).not.toBeNull();
    const builtin = await owner.caller.agent.create({ workspaceId, name: "Inside", kind: "builtin" });
    expect(await rejection(owner.caller.agent.createKey({ agentId: builtin.id }))).toMatchObject({ code: "BAD_REQUEST", field: "agentId" });
  });
});
