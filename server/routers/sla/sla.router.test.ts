// sla.* through createCaller: a deliverable out of the caller's reach answered as a missing one, the
// at-risk panel's order and what it carries, and project.update's slaPolicy. Who may call sla.* is
// in the one table of server/routers/authorization.matrix.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { codeOf, makeUser, rejection } from "../../test/helpers";
import { advanceSlas, meetSlas } from "../../domain/deliverables/sla";
import { makeReviewDeliverable, openSlas } from "../../domain/deliverables/sla-fixtures";

type User = Awaited<ReturnType<typeof makeUser>>;
let owner: User;
let workspaceId: string;
let viewer: User;
let outsider: User;
const MIN = 60_000;
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MIN);

beforeAll(async () => {
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Agency" })).id;
  viewer = await makeUser();
  await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
  outsider = await makeUser();
});

describe("sla.forDeliverable", () => {
  it("answers a deliverable outside the caller's workspaces as one that does not exist", async () => {
    const made = await makeReviewDeliverable(db, { workspaceId, userId: owner.id });
    const hidden = await rejection(outsider.caller.sla.forDeliverable({ deliverableId: made.deliverable.id }));
    const missing = await rejection(outsider.caller.sla.forDeliverable({ deliverableId: "no-such-deliverable" }));
    expect(hidden).toEqual(missing);
    expect(hidden).toMatchObject({ code: "NOT_FOUND", field: "deliverableId" });
  });
});

describe("the at-risk panel", () => {
  it("lists at-risk and breached clocks of undelivered deliverables, most urgent first, with title, project and task priority", async () => {
    const user = await makeUser();
    const ws = (await user.caller.workspace.create({ name: "Panel" })).id;
    const t0 = new Date("2030-06-01T00:00:00Z");
    // Priority 5: first response within 60 minutes, at risk from 48.
    const late = await makeReviewDeliverable(db, { workspaceId: ws, userId: user.id, priority: 5, title: "Late copy" });
    const risky = await makeReviewDeliverable(db, { workspaceId: ws, userId: user.id, priority: 5, title: "Risky copy" });
    const calm = await makeReviewDeliverable(db, { workspaceId: ws, userId: user.id, priority: 5, title: "Calm copy" });
    const shipped = await makeReviewDeliverable(db, { workspaceId: ws, userId: user.id, priority: 5, title: "Shipped late" });
    const [lateClock] = await openSlas(db, late, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    const [riskyClock] = await openSlas(db, risky, { kinds: ["first_response"], now: at(t0, 20), minuteMs: MIN });
    await openSlas(db, calm, { kinds: ["first_response"], now: at(t0, 60), minuteMs: MIN });
    const [shippedClock] = await openSlas(db, shipped, { kinds: ["first_response"], now: at(t0, -10), minuteMs: MIN });
    for (const id of [lateClock!.id, riskyClock!.id, shippedClock!.id]) await advanceSlas(db, { now: at(t0, 70), slaId: id, limit: 1 });
    await db.deliverable.update({ where: { id: shipped.deliverable.id }, data: { status: "delivered" } });
    await meetSlas(db, { deliverableId: shipped.deliverable.id, kinds: ["first_response"], now: at(t0, 75) });

    const panel = await user.caller.sla.atRisk({ workspaceId: ws });
    expect(panel.map((s) => [s.deliverableTitle, s.state])).toEqual([
      ["Late copy", "breached"],
      ["Risky copy", "at_risk"],
    ]);
    expect(panel[0]).toMatchObject({
      deliverableId: late.deliverable.id,
      kind: "first_response",
      projectId: late.project.id,
      projectName: late.project.name,
      taskId: late.task.id,
      taskPriority: 5,
      dueAt: at(t0, 60),
      breachedAt: at(t0, 70),
    });

    expect((await user.caller.sla.list({ workspaceId: ws })).map((s) => s.deliverableTitle)).toEqual([
      "Shipped late",
      "Late copy",
      "Risky copy",
      "Calm copy",
    ]);
    expect((await user.caller.sla.list({ workspaceId: ws, state: "on_track" })).map((s) => s.deliverableTitle)).toEqual(["Calm copy"]);
    expect(await rejection(user.caller.sla.list({ workspaceId: ws, state: "late" as never }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "state",
    });
    expect((await user.caller.sla.forDeliverable({ deliverableId: shipped.deliverable.id })).map((s) => s.state)).toEqual(["breached"]);
  });
});

describe("project.update slaPolicy", () => {
  it("takes a project's SLA windows, refuses a bad one naming the field and changing nothing, and is for those who edit the project", async () => {
    const project = await owner.caller.project.create({ workspaceId, name: "Policies" });
    const policy = { "5": { firstResponseMinutes: 30 }, "3": { deliveryMinutes: 600, revisionMinutes: 120 } };
    expect((await owner.caller.project.update({ id: project.id, slaPolicy: policy })).slaPolicy).toEqual(policy);
    expect((await viewer.caller.project.get({ id: project.id })).slaPolicy).toEqual(policy);

    const bad = await rejection(owner.caller.project.update({ id: project.id, slaPolicy: { "5": { firstResponseMinutes: 0 } } }));
    expect(bad).toMatchObject({ code: "BAD_REQUEST" });
    expect(bad.field).toMatch(/^slaPolicy/);
    const unknown = await rejection(owner.caller.project.update({ id: project.id, slaPolicy: { "9": { deliveryMinutes: 5 } } as never }));
    expect(unknown).toMatchObject({ code: "BAD_REQUEST" });
    expect(await codeOf(viewer.caller.project.update({ id: project.id, slaPolicy: {} }))).toBe("FORBIDDEN");
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).slaPolicy).toEqual(policy);

    // A task an SLA at risk raised stays raised when a new deadline re-derives the others.
    const made = await makeReviewDeliverable(db, { workspaceId, userId: owner.id, priority: 3 });
    await db.task.update({ where: { id: made.task.id }, data: { status: "ready" } });
    const [clockOf] = await openSlas(db, made, { kinds: ["first_response"], now: new Date("2030-01-01T00:00:00Z"), minuteMs: MIN });
    await advanceSlas(db, { now: new Date("2030-01-01T07:00:00Z"), slaId: clockOf!.id, limit: 1 });
    const plain = await owner.caller.task.create({ projectId: made.project.id, title: "Plain", status: "ready" });
    expect((await db.task.findUniqueOrThrow({ where: { id: made.task.id } })).priority).toBe(5);
    await owner.caller.project.update({ id: made.project.id, deadline: new Date(Date.now() + 90 * 24 * 3600 * 1000) });
    expect((await db.task.findUniqueOrThrow({ where: { id: made.task.id } })).priority).toBe(5);
    expect((await db.task.findUniqueOrThrow({ where: { id: plain.id } })).priority).toBe(1);

    // Back to the defaults.
    expect((await owner.caller.project.update({ id: project.id, slaPolicy: {} })).slaPolicy).toEqual({});
  });
});
