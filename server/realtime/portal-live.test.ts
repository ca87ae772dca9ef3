// Live for the portal: a project's messages reach its workspace's members (their workspace room)
// and its clients (their own user room) both ways; a client may not join the workspace's room, so
// task, run and deliverable changes (with their costs) never reach them — a delivery reaches the
// project's clients as portal:delivery in their own room.
import { describe, expect, it } from "vitest";
import type { MessageNewMessage, ServerToClientEvents } from "@shared/realtime";
import type { ClientSocket } from "../test/live-socket";
import { useTestPaddock } from "../test/paddock-harness";

const { makeUser } = await import("../test/helpers");
const { db } = await import("../lib/db");
const { makeDeliverable } = await import("../domain/portal/fixtures");
const { useSockets } = await import("../test/live-socket");

const api = useTestPaddock({ role: "api" });
const { socketFor } = useSockets(() => api.paddock.url);

const next = <E extends "message:new" | "task:update" | "portal:delivery">(s: ClientSocket, event: E, ms: number) =>
  new Promise<Parameters<ServerToClientEvents[E]>[0] | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    s.once(event, ((m: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(m);
    }) as never);
  });

/** A workspace with two projects, each shared with a client of its own. */
async function twoSharedProjects() {
  const owner = await makeUser();
  const client = await makeUser({ name: "Client" });
  const otherClient = await makeUser();
  const workspaceId = (await owner.caller.workspace.create({ name: "Live portal" })).id;
  const project = await owner.caller.project.create({ workspaceId, name: "Shared" });
  const other = await owner.caller.project.create({ workspaceId, name: "Not theirs" });
  await owner.caller.project.share({ projectId: project.id, email: client.email });
  await owner.caller.project.share({ projectId: other.id, email: otherClient.email });
  return { owner, client, otherClient, workspaceId, project };
}

describe("message:new", () => {
  it("reaches the team and the project's client both ways, and nobody else; a client never joins the workspace room", async () => {
    const { owner, client, otherClient, workspaceId, project } = await twoSharedProjects();
    const [o, c, oc] = await Promise.all([socketFor(owner.id), socketFor(client.id), socketFor(otherClient.id)]);
    expect(await o.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
    expect(await c.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toMatchObject({ ok: false });

    const toClient = next(c, "message:new", 5000);
    const strayed = next(oc, "message:new", 1500);
    await owner.caller.message.post({ projectId: project.id, body: "Your draft is nearly ready" });
    expect((await toClient) as MessageNewMessage).toMatchObject({ projectId: project.id, body: "Your draft is nearly ready" });
    expect(await strayed).toBeNull();

    const toTeam = next(o, "message:new", 5000);
    await client.caller.message.post({ projectId: project.id, body: "Thanks!" });
    expect(await toTeam).toMatchObject({ projectId: project.id, body: "Thanks!", author: { id: client.id, isClient: true } });

    // Work changes go to the workspace room, which the client is not in.
    const taskSeen = next(c, "task:update", 1500);
    await owner.caller.task.create({ projectId: project.id, title: "Behind the scenes", status: "ready" });
    expect(await taskSeen).toBeNull();
  });
});

describe("portal:delivery", () => {
  it("tells the project's clients of a delivery, and not of an approval; other projects' clients hear nothing", async () => {
    const { owner, client, otherClient, project } = await twoSharedProjects();
    const [c, oc] = await Promise.all([socketFor(client.id), socketFor(otherClient.id)]);
    const first = await makeDeliverable(db, { projectId: project.id, createdById: owner.id, versions: [{ status: "review" }] });
    const second = await makeDeliverable(db, { projectId: project.id, createdById: owner.id, versions: [{ status: "review" }] });

    const early = next(c, "portal:delivery", 1500);
    await owner.caller.deliverable.approve({ id: first.id });
    expect(await early).toBeNull();

    const delivered = next(c, "portal:delivery", 5000);
    const strayed = next(oc, "portal:delivery", 1500);
    await owner.caller.deliverable.deliver({ id: first.id });
    expect(await delivered).toMatchObject({ deliverableId: first.id, projectId: project.id, version: 1 });
    expect(await strayed).toBeNull();
    // What the message points at is in the client's portal now.
    expect((await client.caller.portal.deliverables({ projectId: project.id })).map((d) => d.id)).toEqual([first.id]);

    const again = next(c, "portal:delivery", 5000);
    await owner.caller.deliverable.deliverMany({ ids: [second.id] });
    expect(await again).toMatchObject({ deliverableId: second.id });
  });
});
