// The client portal through createCaller: a client sees only the projects shared with them and only
// delivered versions (no drafts, reviews, approvals not yet delivered, rejected versions, costs, runs
// or agents); they rate a delivery once, which feeds the agent; sharing by email (an account becomes
// a client, another email gets a client invitation that shares on acceptance); the message thread;
// the portal's file route.
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import path from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { createApp } from "../../app";
import { config } from "../../config";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { createApiToken } from "../../domain/users";
import { makeRun } from "../../domain/betting/fixtures";
import { artifactPath } from "../../domain/runs/artifacts";
import { makeDeliverable } from "../../domain/portal/fixtures";

type User = Awaited<ReturnType<typeof makeUser>>;
let owner: User;
let member: User;
let client: User;
let workspaceId: string;
let shared: { id: string };
let unshared: { id: string };
let elsewhere: { id: string };
let agentId: string;

/** Every key anywhere in a value: what a client's answer must never contain. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return into;
}
const FORBIDDEN_KEYS = /cost|run|agent|attempt|token|cents|output|notes|status$/i;
const leaks = (value: unknown) => [...keysOf(value)].filter((k) => FORBIDDEN_KEYS.test(k) && k !== "status");

beforeAll(async () => {
  owner = await makeUser({ name: "Owner" });
  member = await makeUser({ name: "Member" });
  client = await makeUser({ name: "Client" });
  workspaceId = (await owner.caller.workspace.create({ name: "Agency" })).id;
  await db.workspaceMember.create({ data: { workspaceId, userId: member.id, role: "member" } });
  shared = await owner.caller.project.create({ workspaceId, name: "Shared", brief: "The brief" });
  unshared = await owner.caller.project.create({ workspaceId, name: "Internal" });
  const other = await makeUser();
  const otherWs = (await other.caller.workspace.create({ name: "Other" })).id;
  elsewhere = await other.caller.project.create({ workspaceId: otherWs, name: "Elsewhere" });
  agentId = (await owner.caller.agent.create({ workspaceId, name: "Writer", kind: "external" })).id;
  expect(await owner.caller.project.share({ projectId: shared.id, email: client.email })).toMatchObject({
    status: "shared",
    addedAsClient: true,
  });
});

describe("a client", () => {
  it("sees only the projects shared with them, and nothing of the workspace's work", async () => {
    const projects = await client.caller.portal.projects();
    expect(projects.map((p) => p.id)).toEqual([shared.id]);
    expect(projects[0]).toMatchObject({ name: "Shared", brief: "The brief", workspaceName: "Agency" });
    for (const id of [unshared.id, elsewhere.id, "no-such-project"]) {
      expect(await rejection(client.caller.portal.project({ id }))).toMatchObject({ code: "NOT_FOUND", field: "id" });
      expect(await rejection(client.caller.portal.deliverables({ projectId: id }))).toMatchObject({ code: "NOT_FOUND" });
      expect(await rejection(client.caller.message.list({ projectId: id }))).toMatchObject({ code: "NOT_FOUND" });
    }
    // The work itself does not exist for a client, shared project included.
    expect(await rejection(client.caller.project.get({ id: shared.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(client.caller.task.list({ projectId: shared.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(client.caller.agent.get({ id: agentId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(client.caller.workspace.members({ id: workspaceId }))).toMatchObject({ code: "FORBIDDEN" });
    expect((await client.caller.workspace.list()).find((w) => w.id === workspaceId)).toMatchObject({ role: "client" });
    // Members do not see the portal's projects: it shows what is shared with the caller.
    expect(await member.caller.portal.projects()).toEqual([]);
  });

  it("sees only delivered deliverables and only their delivered versions, with no cost, run or agent", async () => {
    const run = await makeRun(db, { createdById: owner.id, workspaceId, visibility: "workspace" });
    const base = { projectId: shared.id, createdById: owner.id, agentId, runId: run.runId };
    const inReview = await makeDeliverable(db, { ...base, title: "In review", versions: [{ status: "review" }] });
    const draft = await makeDeliverable(db, { ...base, title: "Draft", versions: [{ status: "draft" }] });
    const approved = await makeDeliverable(db, { ...base, title: "Approved", versions: [{ status: "approved" }] });
    const rejected = await makeDeliverable(db, { ...base, title: "Rejected", versions: [{ status: "rejected" }] });
    const revised = await makeDeliverable(db, {
      ...base,
      title: "Revised",
      versions: [
        { status: "rejected", body: "first try" },
        { status: "delivered", body: "second try" },
      ],
    });
    const redoing = await makeDeliverable(db, {
      ...base,
      title: "Redoing",
      versions: [
        { status: "delivered", body: "the delivered one" },
        { status: "review", body: "the next draft" },
      ],
    });
    const hidden = await makeDeliverable(db, { ...base, projectId: unshared.id, versions: [{ status: "delivered" }] });

    const list = await client.caller.portal.deliverables({ projectId: shared.id });
    expect(list.map((d) => d.id).sort()).toEqual([revised.id, redoing.id].sort());
    expect(list.find((d) => d.id === redoing.id)).toMatchObject({ version: 1, excerpt: "the delivered one" });
    expect(leaks(list)).toEqual([]);

    const one = await client.caller.portal.deliverable({ id: revised.id });
    expect(one.versions.map((v) => [v.number, v.body])).toEqual([[2, "second try"]]);
    expect(leaks(one)).toEqual([]);
    expect(JSON.stringify(one)).not.toContain(run.runId);
    expect(JSON.stringify(one)).not.toContain(agentId);
    const next = await client.caller.portal.deliverable({ id: redoing.id });
    expect(next.versions.map((v) => v.body)).toEqual(["the delivered one"]);

    for (const d of [inReview, draft, approved, rejected, hidden]) {
      expect(await rejection(client.caller.portal.deliverable({ id: d.id }))).toMatchObject({ code: "NOT_FOUND", field: "id" });
      expect(await rejection(client.caller.portal.rate({ id: d.id, rating: 5 }))).toMatchObject({ code: "NOT_FOUND" });
    }
  });

  it("rates a delivery once: the agent's performance and the activity feed show it", async () => {
    const d = await makeDeliverable(db, { projectId: shared.id, createdById: owner.id, agentId, versions: [{ status: "delivered" }] });
    expect(await rejection(client.caller.portal.rate({ id: d.id, rating: 6 }))).toMatchObject({ code: "BAD_REQUEST", field: "rating" });
    expect(await rejection(client.caller.portal.rate({ id: d.id, rating: 2.5 }))).toMatchObject({ code: "BAD_REQUEST", field: "rating" });
    expect(await rejection(member.caller.portal.rate({ id: d.id, rating: 1 }))).toMatchObject({ code: "NOT_FOUND" });
    const before = await owner.caller.agent.get({ id: agentId });
    const rated = await client.caller.portal.rate({ id: d.id, rating: 4, comment: "  Good work  " });
    expect(rated).toMatchObject({ rating: 4, ratingComment: "Good work" });
    expect(await rejection(client.caller.portal.rate({ id: d.id, rating: 1 }))).toMatchObject({ code: "CONFLICT", field: "id" });

    const row = await db.deliverable.findUniqueOrThrow({ where: { id: d.id } });
    expect(row).toMatchObject({ rating: 4, ratingComment: "Good work", ratedById: client.id });
    const after = await owner.caller.agent.get({ id: agentId });
    expect(after.performance.ratingCount).toBe(before.performance.ratingCount + 1);
    expect(after.performance.averageRating).not.toBeNull();
    const agent = await db.agent.findUniqueOrThrow({ where: { id: agentId } });
    expect(agent.ratingSum).toBeGreaterThanOrEqual(4);
    expect((await client.caller.portal.deliverable({ id: d.id })).rating).toBe(4);

    const activity = await client.caller.portal.activity({ projectId: shared.id });
    expect(activity.find((a) => a.kind === "deliverable.rated" && a.subjectId === d.id)).toMatchObject({ data: { rating: 4 } });
    await db.projectActivity.create({
      data: { workspaceId, projectId: shared.id, kind: "deliverable.created", subjectId: d.id, data: { costCents: 10 } },
    });
    expect((await client.caller.portal.activity({ projectId: shared.id })).map((a) => a.kind)).not.toContain("deliverable.created");
  });

  it("serves a delivered version's image through the portal's file route, never the run's artifact route", async () => {
    const run = await makeRun(db, { createdById: owner.id, workspaceId, visibility: "workspace" });
    const storageKey = `${run.runId}/shot.png`;
    const file = artifactPath(path.resolve(config.DATA_DIR, "artifacts"), storageKey);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "png bytes");
    const artifact = await db.artifact.create({
      data: { runId: run.runId, kind: "screenshot", filename: "shot.png", contentType: "image/png", size: 9, storageKey },
    });
    const other = await db.artifact.create({
      data: {
        runId: run.runId,
        kind: "file",
        filename: "secret.txt",
        contentType: "text/plain",
        size: 9,
        storageKey: `${storageKey}.other`,
      },
    });
    const files = [{ id: artifact.id, filename: "shot.png", contentType: "image/png", kind: "screenshot" }];
    const d = await makeDeliverable(db, {
      projectId: shared.id,
      createdById: owner.id,
      runId: run.runId,
      versions: [
        { status: "delivered", files },
        { status: "review", files },
      ],
    });
    const view = await client.caller.portal.deliverable({ id: d.id });
    const url = view.versions[0]!.files[0]!.previewUrl!;
    const app = createApp();
    const { token } = await createApiToken(db, client.id, "portal test");
    const got = await request(app).get(url).set("authorization", `Bearer ${token}`);
    expect([got.status, got.headers["content-type"]]).toEqual([200, "image/png"]);
    expect((await request(app).get(`/api/artifacts/${artifact.id}`).set("authorization", `Bearer ${token}`)).status).toBe(404);
    // The version in review, an artifact the version does not list, someone else, nobody.
    const review = `/api/portal/files/${d.versions[1]!.id}/${artifact.id}`;
    expect((await request(app).get(review).set("authorization", `Bearer ${token}`)).status).toBe(404);
    expect((await request(app).get(url.replace(artifact.id, other.id)).set("authorization", `Bearer ${token}`)).status).toBe(404);
    const { token: memberToken } = await createApiToken(db, member.id, "portal test");
    expect((await request(app).get(url).set("authorization", `Bearer ${memberToken}`)).status).toBe(404);
    expect((await request(app).get(url)).status).toBe(401);
  });
});

describe("sharing", () => {
  it("is for the workspace's owners and admins; members of the workspace see every project already", async () => {
    const viewer = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
    expect(await rejection(member.caller.project.share({ projectId: shared.id, email: client.email }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await rejection(client.caller.project.share({ projectId: shared.id, email: client.email }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await rejection(client.caller.project.shares({ projectId: shared.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(owner.caller.project.share({ projectId: shared.id, email: viewer.email }))).toMatchObject({
      code: "CONFLICT",
      field: "email",
    });
    expect(await rejection(owner.caller.project.share({ projectId: shared.id, email: "not an email" }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "email",
    });
    const shares = await owner.caller.project.shares({ projectId: shared.id });
    expect(shares.shares.map((s) => s.userId)).toEqual([client.id]);
  });

  it("invites an email with no account as a client, and the project is shared once they accept", async () => {
    const email = `guest-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const result = await owner.caller.project.share({ projectId: unshared.id, email });
    if (result.status !== "invited") throw new Error("expected an invitation");
    expect((await owner.caller.project.shares({ projectId: unshared.id })).invitations.map((i) => i.email)).toEqual([email]);
    const guest = await makeUser({ email });
    const joined = await guest.caller.workspace.acceptInvite({ token: decodeURIComponent(result.link.split("/invite/")[1]!) });
    expect(joined.role).toBe("client");
    expect((await guest.caller.portal.projects()).map((p) => p.id)).toEqual([unshared.id]);
  });

  it("withdrawn, the project is gone from the client's portal", async () => {
    const guest = await makeUser();
    await owner.caller.project.share({ projectId: unshared.id, email: guest.email });
    expect((await guest.caller.portal.projects()).map((p) => p.id)).toEqual([unshared.id]);
    expect(await rejection(member.caller.project.unshare({ projectId: unshared.id, userId: guest.id }))).toMatchObject({
      code: "FORBIDDEN",
    });
    await owner.caller.project.unshare({ projectId: unshared.id, userId: guest.id });
    expect(await guest.caller.portal.projects()).toEqual([]);
    expect(await rejection(owner.caller.project.unshare({ projectId: unshared.id, userId: guest.id }))).toMatchObject({
      code: "NOT_FOUND",
      field: "userId",
    });
  });
});

describe("the message thread", () => {
  it("is for the workspace's members and the project's clients, oldest first, in the activity feed", async () => {
    await member.caller.message.post({ projectId: shared.id, body: "Hello from the team" });
    await client.caller.message.post({ projectId: shared.id, body: "Hello from the client" });
    const { messages } = await owner.caller.message.list({ projectId: shared.id });
    expect(messages.slice(-2).map((m) => [m.body, m.author.isClient])).toEqual([
      ["Hello from the team", false],
      ["Hello from the client", true],
    ]);
    expect((await client.caller.message.list({ projectId: shared.id })).messages.slice(-2).map((m) => m.body)).toEqual([
      "Hello from the team",
      "Hello from the client",
    ]);
    expect(await rejection(client.caller.message.post({ projectId: unshared.id, body: "let me in" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(member.caller.message.post({ projectId: shared.id, body: "   " }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "body",
    });
    const kinds = (await client.caller.portal.activity({ projectId: shared.id })).filter((a) => a.kind === "message.posted");
    expect(kinds.length).toBeGreaterThanOrEqual(2);
  });
});
