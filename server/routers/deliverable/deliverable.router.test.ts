// deliverable.* through createCaller, with results reported by external agents through the agent
// API's commands (claim, then result): who may do what (a table, one row per procedure), bad input
// naming its field and changing nothing, a decision acting once however often it is sent, the
// review queue's order, reject and requestRevision producing the next version, and the sweep making
// the deliverable a lost hook did not.
import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { makeUser, rejection } from "../../test/helpers";
import { ensureBuiltinAgents } from "../../domain/agents/builtin";
import { finishAgentAttempt } from "../../domain/tasks/attempts";
import { claimTaskForAgent, reportTaskResult } from "../../commands/tasks";
import { sweepDeliverables } from "../../commands/deliverables";
import { requestRevision } from "../../domain/deliverables/decisions";
import { recordResultVersion } from "../../domain/deliverables/results";
import { config } from "../../config";
import { REVISION_PRIORITY } from "@shared/deliverables";

type User = Awaited<ReturnType<typeof makeUser>>;
const ACTORS = ["owner", "admin", "member", "viewer", "outsider", "siteOperator", "siteOperatorOutside"] as const;
type ActorName = (typeof ACTORS)[number];
let owner: User;
let workspaceId: string;
let projectId: string;
const by = {} as Record<ActorName, User>;

// The tasks here need the "scribe" specialization, so the site's builtin demo agents never take them.
const SPEC = "scribe";

beforeAll(async () => {
  await ensureBuiltinAgents(db);
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Review studio" })).id;
  projectId = (await owner.caller.project.create({ workspaceId, name: "Client work" })).id;
  by.owner = owner;
  for (const role of ["admin", "member", "viewer"] as const) {
    const u = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId, userId: u.id, role } });
    by[role] = u;
  }
  by.outsider = await makeUser();
  // A site operator decides in a workspace they belong to (as a plain member here); outside it they see nothing.
  by.siteOperator = await makeUser({ role: "operator" });
  await db.workspaceMember.create({ data: { workspaceId, userId: by.siteOperator.id, role: "member" } });
  by.siteOperatorOutside = await makeUser({ role: "operator" });
});

async function makeAgent(name = "Scribe") {
  return owner.caller.agent.create({ workspaceId, name, kind: "external", specialization: SPEC, maxConcurrentTasks: 5 });
}

/** The agent API's GET /tasks/next, answering at once. */
async function claim(agentId: string) {
  const agent = await db.agent.findUniqueOrThrow({ where: { id: agentId }, select: { workspaceId: true } });
  return claimTaskForAgent({ agentId, workspaceId: agent.workspaceId!, waitSeconds: 0, signal: new AbortController().signal });
}

/** The agent claims the task pinned to it and reports its result (the agent API's path: the hook makes the version). */
async function claimAndReport(agentId: string, taskId: string, summary: string, files?: unknown[]) {
  const claimed = await claim(agentId);
  expect(claimed?.taskId).toBe(taskId);
  await reportTaskResult({
    agentId,
    taskId,
    body: { outcome: "succeeded", summary, output: { text: `${summary} (full text)` }, ...(files ? { files } : {}) } as never,
  });
}

/** A ready task requiring review, pinned to the agent (in the shared project unless told another). */
function reviewTask(agentId: string, title: string, opts: { projectId?: string; priority?: number } = {}) {
  return owner.caller.task.create({
    projectId: opts.projectId ?? projectId,
    title,
    status: "ready",
    requiresReview: true,
    requiredSpecialization: SPEC,
    agentId,
    ...(opts.priority ? { priority: opts.priority } : {}),
  });
}

/**
 * A fresh agent's task whose result committed (the task is in review) but whose post-commit
 * effects never ran, as when the process dies in between: no deliverable yet.
 */
async function resultWithoutDeliverable(agentName: string, title: string, summary: string) {
  const agent = await makeAgent(agentName);
  const task = await reviewTask(agent.id, title);
  await claim(agent.id);
  await finishAgentAttempt(pgPool(), db, {
    agentId: agent.id,
    taskId: task.id,
    now: new Date(),
    retryBackoffMs: 100,
    result: { outcome: "succeeded", summary },
  });
  return task;
}

/** A task requiring review, done by a fresh external agent: its result is a deliverable awaiting review. */
async function makeDeliverable(opts: { title?: string; priority?: number; agentId?: string } = {}) {
  const agentId = opts.agentId ?? (await makeAgent()).id;
  const task = await reviewTask(agentId, opts.title ?? "Landing page copy", { priority: opts.priority });
  await claimAndReport(agentId, task.id, `Copy for ${task.title}`);
  const d = await db.deliverable.findUniqueOrThrow({ where: { taskId: task.id } });
  return { d, task, agentId };
}

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    (r) => {
      // A batch answers per deliverable: its one item's outcome is the call's.
      const batch = r as { results?: { ok: boolean; code?: string }[] } | null;
      if (batch && Array.isArray(batch.results)) return batch.results[0]!.ok ? "ok" : batch.results[0]!.code!;
      return "ok";
    },
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );

const snapshot = async (id: string) => ({
  d: await db.deliverable.findUniqueOrThrow({ where: { id } }),
  versions: await db.deliverableVersion.findMany({ where: { deliverableId: id }, orderBy: { number: "asc" } }),
  activities: await db.projectActivity.count({ where: { subjectId: id } }),
  tasks: await db.task.count({ where: { projectId } }),
});

describe("who may do what with deliverables", () => {
  const N = "NOT_FOUND";
  const F = "FORBIDDEN";
  const READ = { owner: "ok", admin: "ok", member: "ok", viewer: "ok", outsider: N, siteOperator: "ok", siteOperatorOutside: N };
  const DECIDE = { owner: "ok", admin: "ok", member: F, viewer: F, outsider: N, siteOperator: "ok", siteOperatorOutside: N };
  const MATRIX: Record<string, Record<ActorName, string>> = {
    "deliverable.list": READ,
    "deliverable.get": READ,
    "deliverable.versions": READ,
    "deliverable.queue": READ,
    "deliverable.activity": READ,
    "deliverable.approve": DECIDE,
    "deliverable.deliver": DECIDE,
    "deliverable.reject": DECIDE,
    "deliverable.requestRevision": DECIDE,
    "deliverable.approveMany": DECIDE,
    "deliverable.deliverMany": DECIDE,
  };
  let shared: Awaited<ReturnType<typeof makeDeliverable>>;
  beforeAll(async () => {
    shared = await makeDeliverable({ title: "Shared for reads" });
  });

  for (const [procedure, row] of Object.entries(MATRIX)) {
    for (const actor of ACTORS) {
      const expected = row[actor];
      it(`${procedure} by ${actor}: ${expected}`, async () => {
        const reads = !/approve|deliver|reject|requestRevision/.test(procedure);
        const { d } = reads ? shared : await makeDeliverable({ title: `For ${procedure} by ${actor}` });
        const c = by[actor].caller.deliverable;
        const calls: Record<string, () => Promise<unknown>> = {
          "deliverable.list": () => c.list({ workspaceId }),
          "deliverable.get": () => c.get({ id: d.id }),
          "deliverable.versions": () => c.versions({ id: d.id }),
          "deliverable.queue": () => c.queue({ workspaceId }),
          "deliverable.activity": () => c.activity({ projectId }),
          "deliverable.approve": () => c.approve({ id: d.id }),
          "deliverable.deliver": () => c.deliver({ id: d.id }),
          "deliverable.reject": () => c.reject({ id: d.id, reason: "Off brief" }),
          "deliverable.requestRevision": () => c.requestRevision({ id: d.id, notes: "Shorter, please" }),
          "deliverable.approveMany": () => c.approveMany({ ids: [d.id] }),
          "deliverable.deliverMany": () => c.deliverMany({ ids: [d.id] }),
        };
        const before = await snapshot(d.id);
        expect(await codeOf(calls[procedure]!())).toBe(expected);
        // A rejected task waits, unpinned, for the next agent: it is canceled so the other tests' agents claim only their own.
        if (procedure === "deliverable.reject" && expected === "ok") await owner.caller.task.cancel({ id: d.taskId });
        if (expected !== "ok" || reads) {
          const after = await snapshot(d.id);
          expect(after.d.status).toBe(before.d.status);
          expect(after.d.updatedAt).toEqual(before.d.updatedAt);
          expect(after.versions).toEqual(before.versions);
          expect(after.activities).toBe(before.activities);
          expect(after.tasks).toBe(before.tasks);
        }
      });
    }
  }

  it("an outsider learns nothing from a list or the queue of a workspace they are not in", async () => {
    expect(await rejection(by.outsider.caller.deliverable.list({ workspaceId }))).toMatchObject({ code: N, field: "workspaceId" });
    expect(await rejection(by.outsider.caller.deliverable.list({ projectId }))).toMatchObject({ code: N, field: "projectId" });
    expect(await rejection(by.outsider.caller.deliverable.get({ id: "no-such-deliverable" }))).toMatchObject({ code: N, field: "id" });
  });
});

describe("deliverables", () => {
  it("are made from a result: the summary and output text as body, the agent's files, an activity row and two SLA clocks", async () => {
    const agent = await makeAgent("Filer");
    const task = await reviewTask(agent.id, "Brochure");
    await claimAndReport(agent.id, task.id, "Brochure draft", [{ name: "brochure.pdf", url: "https://files.example.test/b.pdf" }]);
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("review");
    const got = await by.viewer.caller.deliverable.list({ projectId, status: "review" });
    const d = got.items.find((i) => i.taskId === task.id)!;
    expect(d).toMatchObject({ title: "Brochure", status: "review", latestVersion: 1, agentId: agent.id, revisionCount: 0 });
    const full = await by.viewer.caller.deliverable.get({ id: d.id });
    expect(full.versions).toHaveLength(1);
    expect(full.versions[0]).toMatchObject({ number: 1, status: "review", taskId: task.id, agentId: agent.id });
    expect(full.versions[0]!.body).toBe("Brochure draft\n\nBrochure draft (full text)");
    expect(full.versions[0]!.files).toMatchObject([{ url: "https://files.example.test/b.pdf" }]);
    expect(full.slas.map((s) => [s.kind, s.state])).toEqual([
      ["first_response", "on_track"],
      ["delivery", "on_track"],
    ]);
    const activity = await by.viewer.caller.deliverable.activity({ projectId });
    expect(activity.items.find((a) => a.subjectId === d.id)).toMatchObject({ kind: "deliverable.created", clientVisible: false });
  });

  it("refuse bad input naming the field, and change nothing", async () => {
    const { d } = await makeDeliverable({ title: "Validated" });
    const before = await snapshot(d.id);
    const c = owner.caller.deliverable;
    expect(await rejection(c.reject({ id: d.id, reason: "  " }))).toMatchObject({ code: "BAD_REQUEST", field: "reason" });
    expect(await rejection(c.requestRevision({ id: d.id, notes: "" }))).toMatchObject({ code: "BAD_REQUEST", field: "notes" });
    expect(await rejection(c.requestRevision({ id: d.id, notes: "x".repeat(5001) }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "notes",
    });
    expect(await rejection(c.approve({ id: d.id, version: 0 }))).toMatchObject({ code: "BAD_REQUEST", field: "version" });
    expect(await rejection(c.approve({ id: "" }))).toMatchObject({ code: "BAD_REQUEST", field: "id" });
    expect(await rejection(c.approveMany({ ids: [] }))).toMatchObject({ code: "BAD_REQUEST", field: "ids" });
    expect(await rejection(c.list({}))).toMatchObject({ code: "BAD_REQUEST", field: "workspaceId" });
    expect(await rejection(c.list({ workspaceId, status: "lost" as never }))).toMatchObject({ code: "BAD_REQUEST", field: "status" });
    // A version that is not the newest is refused by name.
    expect(await rejection(c.approve({ id: d.id, version: 2 }))).toMatchObject({ code: "CONFLICT", field: "version" });
    expect(await snapshot(d.id)).toEqual(before);
  });

  it("act once when the same decision arrives twice at the same moment, and refuse decisions the version is not awaiting", async () => {
    const { d } = await makeDeliverable({ title: "Raced" });
    const outcomes = await Promise.all([
      codeOf(owner.caller.deliverable.approve({ id: d.id })),
      codeOf(by.admin.caller.deliverable.approve({ id: d.id })),
      codeOf(owner.caller.deliverable.approve({ id: d.id })),
    ]);
    expect(outcomes.sort()).toEqual(["CONFLICT", "CONFLICT", "ok"]);
    expect(await db.projectActivity.count({ where: { subjectId: d.id, kind: "deliverable.approved" } })).toBe(1);
    const after = await db.deliverable.findUniqueOrThrow({ where: { id: d.id } });
    expect(after.status).toBe("approved");
    expect(after.approvedById).not.toBeNull();
    const v = await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: d.id } });
    expect(v).toMatchObject({ status: "approved", decidedById: after.approvedById });
    expect(v.decidedAt).not.toBeNull();
    // Approved awaits delivery only.
    expect(await rejection(owner.caller.deliverable.approve({ id: d.id }))).toMatchObject({ code: "CONFLICT" });
    const delivered = await owner.caller.deliverable.deliver({ id: d.id });
    expect(delivered.status).toBe("delivered");
    for (const again of [
      () => owner.caller.deliverable.deliver({ id: d.id }),
      () => owner.caller.deliverable.reject({ id: d.id, reason: "late" }),
      () => owner.caller.deliverable.requestRevision({ id: d.id, notes: "more" }),
    ]) {
      expect((await rejection(again())).message).toMatch(/already delivered/);
    }
  });

  it("deliver in one click approves first, meets the clocks, and moves the task to done", async () => {
    const { d, task } = await makeDeliverable({ title: "One click" });
    // Not by hand: the task's result is the deliverable, delivered from the queue.
    await expect(owner.caller.task.update({ id: task.id, status: "done" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("deliverable.deliver"),
    });
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("review");
    await by.siteOperator.caller.deliverable.deliver({ id: d.id, version: 1 });
    const after = await db.deliverable.findUniqueOrThrow({ where: { id: d.id } });
    expect(after).toMatchObject({ status: "delivered", approvedById: by.siteOperator.id, deliveredById: by.siteOperator.id });
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("done");
    const slas = await db.deliverableSla.findMany({ where: { deliverableId: d.id } });
    expect(slas.every((s) => s.state === "met")).toBe(true);
    // The deliverable's own rows (the SLA clocks write theirs too).
    const feed = await db.projectActivity.findMany({
      where: { subjectId: d.id, kind: { startsWith: "deliverable." } },
      orderBy: { createdAt: "asc" },
    });
    expect(feed.map((a) => [a.kind, a.clientVisible])).toEqual([
      ["deliverable.created", false],
      ["deliverable.approved", false],
      ["deliverable.delivered", true],
    ]);
  });

  it("batches decide each deliverable on its own and say what happened to each", async () => {
    const a = await makeDeliverable({ title: "Batch A" });
    const b = await makeDeliverable({ title: "Batch B" });
    await owner.caller.deliverable.deliver({ id: b.d.id });
    const res = await owner.caller.deliverable.deliverMany({ ids: [a.d.id, b.d.id, "missing"] });
    expect(res.results.map((r) => [r.id, r.ok ? "ok" : r.code])).toEqual([
      [a.d.id, "ok"],
      [b.d.id, "CONFLICT"],
      ["missing", "NOT_FOUND"],
    ]);
    expect(res).toMatchObject({ succeeded: 1, failed: 2 });
    expect((await db.deliverable.findUniqueOrThrow({ where: { id: a.d.id } })).status).toBe("delivered");
  });

  it("queue the newest version awaiting a decision, the earliest SLA due first, then the newest", async () => {
    const ws = (await owner.caller.workspace.create({ name: "Queue order" })).id;
    const project = await owner.caller.project.create({ workspaceId: ws, name: "Queue" });
    const agent = await owner.caller.agent.create({
      workspaceId: ws,
      name: "Q",
      kind: "external",
      specialization: SPEC,
      maxConcurrentTasks: 5,
    });
    const make = async (title: string, priority: number) => {
      const task = await reviewTask(agent.id, title, { projectId: project.id, priority });
      await claimAndReport(agent.id, task.id, title);
      return db.deliverable.findUniqueOrThrow({ where: { taskId: task.id } });
    };
    const urgent = await make("Urgent", 5); // first response due in an hour
    const relaxed = await make("Relaxed", 1); // in two days, but newer
    const done = await make("Done already", 5);
    await owner.caller.deliverable.deliver({ id: done.id });
    const queue = await owner.caller.deliverable.queue({ workspaceId: ws });
    expect(queue.map((q) => q.id)).toEqual([urgent.id, relaxed.id]);
    expect(queue[0]!.version).toMatchObject({ number: 1, status: "review" });
    expect(queue[0]!.urgentSla).toMatchObject({ kind: "first_response", state: "on_track" });
  });

  it("reject: a quality failure counted against the agent, which may not take the task again; another agent's result is the next version", async () => {
    const ws = (await owner.caller.workspace.create({ name: "Rejects" })).id;
    const project = await owner.caller.project.create({ workspaceId: ws, name: "R" });
    const first = await owner.caller.agent.create({ workspaceId: ws, name: "First", kind: "external", specialization: SPEC });
    const second = await owner.caller.agent.create({ workspaceId: ws, name: "Second", kind: "external", specialization: SPEC });
    const task = await reviewTask(first.id, "Poster", { projectId: project.id });
    await claimAndReport(first.id, task.id, "A poster");
    const d = await db.deliverable.findUniqueOrThrow({ where: { taskId: task.id } });
    const agentBefore = await db.agent.findUniqueOrThrow({ where: { id: first.id } });
    expect(agentBefore).toMatchObject({ tasksCompleted: 1, tasksFailed: 0 });

    const res = await owner.caller.deliverable.reject({ id: d.id, version: 1, reason: "The colours are off brand" });
    expect(res).toMatchObject({ status: "rejected", taskId: task.id });
    expect(await db.agent.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ tasksCompleted: 0, tasksFailed: 1 });
    const t = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(t).toMatchObject({ status: "ready", excludedAgentIds: [first.id], requestedAgentId: null, assignedAgentId: null });
    expect(await db.deliverable.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({
      status: "rejected",
      rejectReason: "The colours are off brand",
      rejectedById: owner.id,
    });
    expect(await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: d.id, number: 1 } })).toMatchObject({
      status: "rejected",
      notes: "The colours are off brand",
      decidedById: owner.id,
    });
    // Rejected is not awaiting a decision: not in the queue.
    expect((await owner.caller.deliverable.queue({ workspaceId: ws })).map((q) => q.id)).not.toContain(d.id);

    await claimAndReport(second.id, task.id, "A better poster");
    const v2 = await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: d.id, number: 2 } });
    expect(v2).toMatchObject({
      status: "review",
      agentId: second.id,
      taskId: task.id,
      body: "A better poster\n\nA better poster (full text)",
    });
    expect(await db.deliverable.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({
      status: "review",
      latestVersion: 2,
      agentId: second.id,
    });
    expect((await owner.caller.deliverable.queue({ workspaceId: ws })).map((q) => [q.id, q.version?.number])).toEqual([[d.id, 2]]);
  });

  it("requestRevision: a revision task for the same agent, whose result is version 2 linked to version 1", async () => {
    const { d, task, agentId } = await makeDeliverable({ title: "Newsletter" });
    const res = await by.admin.caller.deliverable.requestRevision({ id: d.id, notes: "Make the intro warmer" });
    const revision = await db.task.findUniqueOrThrow({ where: { id: res.taskId! } });
    expect(revision).toMatchObject({
      type: "revision",
      priority: REVISION_PRIORITY,
      parentTaskId: task.id,
      requiresReview: true,
      requestedAgentId: agentId,
      status: "ready",
      createdById: by.admin.id,
    });
    expect(revision.description).toContain("Make the intro warmer");
    expect(revision.description).toContain("Copy for Newsletter");
    expect(await db.deliverable.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ status: "draft", revisionCount: 1 });
    expect(await db.deliverableVersion.findFirstOrThrow({ where: { deliverableId: d.id, number: 1 } })).toMatchObject({
      status: "rejected",
      notes: "Make the intro warmer",
      decidedById: by.admin.id,
    });
    const got = await owner.caller.deliverable.get({ id: d.id });
    expect(got.inProgress).toMatchObject({ taskId: revision.id, type: "revision" });
    expect(got.slas.find((s) => s.kind === "revision")).toMatchObject({ state: "on_track" });
    expect(got.slas.find((s) => s.kind === "first_response")).toMatchObject({ state: "met" });

    await claimAndReport(agentId, revision.id, "Warmer newsletter");
    const versions = await owner.caller.deliverable.versions({ id: d.id });
    expect(versions.map((v) => [v.number, v.status, v.taskId])).toEqual([
      [2, "review", revision.id],
      [1, "rejected", task.id],
    ]);
    const after = await owner.caller.deliverable.get({ id: d.id });
    expect(after).toMatchObject({ status: "review", latestVersion: 2, inProgress: null });
    expect(after.slas.find((s) => s.kind === "revision")).toMatchObject({ state: "met" });

    await owner.caller.deliverable.deliver({ id: d.id });
    const tasks = await db.task.findMany({ where: { id: { in: [task.id, revision.id] } } });
    expect(tasks.map((t) => t.status)).toEqual(["done", "done"]);
    const kinds = (await owner.caller.deliverable.activity({ projectId })).items
      .filter((a) => a.subjectId === d.id && a.kind.startsWith("deliverable."))
      .map((a) => a.kind);
    expect(kinds).toEqual([
      "deliverable.delivered",
      "deliverable.approved",
      "deliverable.version_added",
      "deliverable.revision_requested",
      "deliverable.created",
    ]);
  });

  it("the sweep makes the deliverable of a result whose hook never ran, once", async () => {
    // The result commits, and the process dies before its post-commit effects.
    const task = await resultWithoutDeliverable("Lost hook", "Crash in between", "Made before the crash");
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("review");
    expect(await db.deliverable.findUnique({ where: { taskId: task.id } })).toBeNull();
    const swept = await sweepDeliverables({ graceMs: 0 });
    expect(swept.recorded).toBeGreaterThanOrEqual(1);
    const d = await db.deliverable.findUniqueOrThrow({ where: { taskId: task.id }, include: { versions: true } });
    expect(d.versions.map((v) => [v.number, v.body])).toEqual([[1, "Made before the crash"]]);
    await sweepDeliverables({ graceMs: 0 });
    expect(await db.deliverableVersion.count({ where: { deliverableId: d.id } })).toBe(1);
    expect(await db.deliverableSla.count({ where: { deliverableId: d.id } })).toBe(2);
  });

  it("a task that does not require review makes no deliverable", async () => {
    const agent = await makeAgent("Internal");
    const task = await owner.caller.task.create({
      projectId,
      title: "Research notes",
      status: "ready",
      requiredSpecialization: SPEC,
      agentId: agent.id,
    });
    await claimAndReport(agent.id, task.id, "Notes");
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("done");
    await sweepDeliverables({ graceMs: 0 });
    expect(await db.deliverable.findUnique({ where: { taskId: task.id } })).toBeNull();
  });

  it("follow the workspace's plan: revisions per deliverable and deliverables a month are capped when billing is on", async () => {
    const enforced = { enforced: true, plans: config.BILLING_PLANS, packs: [], currency: "usd", publicUrl: "http://localhost" };
    const actor = { userId: owner.id, siteRole: owner.role };
    const { d, agentId } = await makeDeliverable({ title: "Capped" });
    // The free plan allows one revision per deliverable.
    const first = await requestRevision(db, { actor, id: d.id, notes: "Once", now: new Date(), settings: enforced });
    await claimAndReport(agentId, first.dispatchTaskId!, "Revised once");
    const before = await snapshot(d.id);
    const refused = await requestRevision(db, { actor, id: d.id, notes: "Twice", now: new Date(), settings: enforced }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: "PLAN_LIMIT" });
    expect(await snapshot(d.id)).toEqual(before);

    // A plan with no deliverables left this month: the result waits in review, without a deliverable, until the plan allows.
    const task = await resultWithoutDeliverable("Over the limit", "One too many", "Held");
    const none = { ...enforced, plans: { ...config.BILLING_PLANS, free: { ...config.BILLING_PLANS.free, deliverablesPerMonth: 0 } } };
    expect(await recordResultVersion(db, { taskId: task.id, now: new Date(), settings: none }).catch((e: unknown) => e)).toMatchObject({
      code: "PLAN_LIMIT",
    });
    expect(await db.deliverable.findUnique({ where: { taskId: task.id } })).toBeNull();
    const plenty = {
      ...enforced,
      plans: { ...config.BILLING_PLANS, free: { ...config.BILLING_PLANS.free, deliverablesPerMonth: 10_000 } },
    };
    expect(await recordResultVersion(db, { taskId: task.id, now: new Date(), settings: plenty })).toMatchObject({
      created: true,
      version: 1,
    });
  });
});
