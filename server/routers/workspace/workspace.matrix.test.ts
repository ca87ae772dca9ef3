// Who may call each workspace procedure: every procedure × every kind of caller, generated from
// the one table below. Each cell runs against a fresh team workspace, and a refused call must
// leave the workspace, its members and its invitations exactly as they were.
import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "../../lib/db";
import { anonymousCaller, makeUser } from "../../test/helpers";
import { workspaceRouter } from "./workspace.router";
import { inviteToWorkspace } from "../../domain/workspaces/invitations";
import type { WorkspaceRole } from "@shared/workspace-rules";

const ACTORS = ["anonymous", "viewer", "member", "admin", "owner", "otherWorkspace", "siteOperator", "siteAdmin"] as const;
type Actor = (typeof ACTORS)[number];
type Procedure = keyof typeof workspaceRouter._def.procedures;
/** "ok", a tRPC error code, or for `list` whether the workspace is among the caller's. */
type Outcome = "ok" | "listed" | "unlisted" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT";

const U = "UNAUTHORIZED";
const F = "FORBIDDEN";
const N = "NOT_FOUND";
const row = (...outcomes: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]!])) as Record<Actor, Outcome>;

// prettier-ignore
const MATRIX: Record<Procedure, Record<Actor, Outcome>> = {
  //                   anonymous viewer     member     admin      owner       otherWs     siteOp      siteAdmin
  create:       row(U, "ok",      "ok",      "ok",      "ok",       "ok",       "ok",       "ok"),
  list:         row(U, "listed",  "listed",  "listed",  "listed",   "unlisted", "unlisted", "unlisted"),
  get:          row(U, "ok",      "ok",      "ok",      "ok",       N,          N,          N),
  members:      row(U, "ok",      "ok",      "ok",      "ok",       N,          N,          N),
  update:       row(U, F,         F,         "ok",      "ok",       N,          N,          N),
  delete:       row(U, F,         F,         F,         "ok",       N,          N,          N),
  invite:       row(U, F,         F,         "ok",      "ok",       N,          N,          N),
  setRole:      row(U, F,         F,         "ok",      "ok",       N,          N,          N),
  removeMember: row(U, F,         F,         "ok",      "ok",       N,          N,          N),
  revokeInvite: row(U, F,         F,         "ok",      "ok",       N,          N,          N),
  // The owner is the only one: the last owner cannot leave.
  leave:        row(U, "ok",      "ok",      "ok",      "CONFLICT", N,          N,          N),
  // The link was sent to another address: holding it lets nobody else in.
  acceptInvite: row(U, F,         F,         F,         F,          F,          F,          F),
};

interface World {
  workspaceId: string;
  /** A plain member every actor tries to manage (setRole, removeMember). */
  targetId: string;
  /** An invitation link's token addressed to an email no actor has. */
  token: string;
  invitationId: string;
}

type Caller = ReturnType<typeof anonymousCaller>;
const CALLS: Record<Procedure, (caller: Caller, w: World) => Promise<unknown>> = {
  create: (c) => c.workspace.create({ name: "Side project" }),
  list: async (c, w) => ((await c.workspace.list()).some((ws) => ws.id === w.workspaceId) ? "listed" : "unlisted"),
  get: (c, w) => c.workspace.get({ id: w.workspaceId }),
  members: (c, w) => c.workspace.members({ id: w.workspaceId }),
  update: (c, w) => c.workspace.update({ id: w.workspaceId, name: "Renamed" }),
  delete: (c, w) => c.workspace.delete({ id: w.workspaceId }),
  invite: (c, w) => c.workspace.invite({ id: w.workspaceId, email: `new-${w.workspaceId}@example.test`, role: "member" }),
  setRole: (c, w) => c.workspace.setRole({ id: w.workspaceId, userId: w.targetId, role: "viewer" }),
  removeMember: (c, w) => c.workspace.removeMember({ id: w.workspaceId, userId: w.targetId }),
  revokeInvite: (c, w) => c.workspace.revokeInvite({ id: w.workspaceId, invitationId: w.invitationId }),
  leave: (c, w) => c.workspace.leave({ id: w.workspaceId }),
  acceptInvite: (c, w) => c.workspace.acceptInvite({ token: w.token }),
};

type TestUser = Awaited<ReturnType<typeof makeUser>>;
let users: Record<Exclude<Actor, "anonymous">, TestUser> & { target: TestUser };

beforeAll(async () => {
  const [viewer, member, admin, owner, otherWorkspace, siteOperator, siteAdmin, target] = await Promise.all([
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser({ role: "operator" }),
    makeUser({ role: "admin" }),
    makeUser(),
  ]);
  users = {
    viewer: viewer,
    member: member,
    admin: admin,
    owner: owner,
    otherWorkspace: otherWorkspace,
    siteOperator: siteOperator,
    siteAdmin: siteAdmin,
    target: target,
  };
  await users.otherWorkspace.caller.workspace.create({ name: "Elsewhere" });
});

async function makeWorld(): Promise<World> {
  const roles: Array<[TestUser, WorkspaceRole]> = [
    [users.owner, "owner"],
    [users.admin, "admin"],
    [users.member, "member"],
    [users.viewer, "viewer"],
    [users.target, "member"],
  ];
  const ws = await db.workspace.create({
    data: {
      name: "Acme",
      slug: `acme-${Math.random().toString(36).slice(2, 10)}`,
      createdById: users.owner.id,
      members: { create: roles.map(([u, role]) => ({ userId: u.id, role })) },
    },
  });
  const invited = await inviteToWorkspace(db, {
    actorId: users.owner.id,
    workspaceId: ws.id,
    email: `someone-else-${ws.id}@example.test`,
    role: "member",
    publicUrl: "http://paddock.test",
    ttlDays: 7,
  });
  if (invited.status !== "invited") throw new Error("expected a pending invitation");
  return {
    workspaceId: ws.id,
    targetId: users.target.id,
    token: decodeURIComponent(invited.link.split("/invite/")[1]!),
    invitationId: invited.invitation.id,
  };
}

async function snapshot(workspaceId: string) {
  return {
    workspace: await db.workspace.findUnique({ where: { id: workspaceId }, select: { name: true, slug: true } }),
    members: await db.workspaceMember.findMany({
      where: { workspaceId },
      select: { userId: true, role: true },
      orderBy: { userId: "asc" },
    }),
    invitations: await db.workspaceInvitation.findMany({
      where: { workspaceId },
      select: { email: true, acceptedAt: true },
      orderBy: { email: "asc" },
    }),
    workspaces: await db.workspace.count(),
  };
}

function callerFor(actor: Actor): Caller {
  return actor === "anonymous" ? anonymousCaller() : users[actor].caller;
}

describe("workspace authorization matrix", () => {
  it("has a row for every workspace procedure", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(workspaceRouter._def.procedures).sort());
  });

  const cells = (Object.keys(MATRIX) as Procedure[]).flatMap((procedure) =>
    ACTORS.map((actor) => [procedure, actor, MATRIX[procedure][actor]] as const),
  );

  it.each(cells)("%s as %s → %s", async (procedure, actor, expected) => {
    const world = await makeWorld();
    const before = await snapshot(world.workspaceId);
    const outcome = await CALLS[procedure](callerFor(actor), world).then(
      (value) => (value === "listed" || value === "unlisted" ? value : "ok"),
      (e: unknown) => {
        if (e instanceof TRPCError) return e.code;
        throw e;
      },
    );
    expect(outcome).toBe(expected);
    if (!["ok", "listed", "unlisted"].includes(expected)) expect(await snapshot(world.workspaceId)).toEqual(before);
  });
});
