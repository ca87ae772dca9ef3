import { describe, expect, it, vi } from "vitest";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { config } from "../../config";
import { hashToken } from "../../lib/passwords";

type TestUser = Awaited<ReturnType<typeof makeUser>>;

/** A team workspace made by `owner` through the API, with the others added as the given roles. */
async function team(owner: TestUser, others: Array<[TestUser, "owner" | "admin" | "member" | "viewer"]> = []) {
  const ws = await owner.caller.workspace.create({ name: "Acme Robotics" });
  for (const [u, role] of others) await owner.caller.workspace.invite({ id: ws.id, email: u.email, role });
  return ws;
}

const roleOf = async (workspaceId: string, userId: string) =>
  (await db.workspaceMember.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: { role: true } }))?.role ?? null;

/** Everything the workspace procedures write, to prove a refused call wrote nothing. */
async function everything() {
  return {
    workspaces: await db.workspace.findMany({ select: { id: true, name: true, slug: true }, orderBy: { id: "asc" } }),
    members: await db.workspaceMember.findMany({
      select: { workspaceId: true, userId: true, role: true },
      orderBy: [{ workspaceId: "asc" }, { userId: "asc" }],
    }),
    invitations: await db.workspaceInvitation.findMany({ select: { id: true, acceptedAt: true }, orderBy: { id: "asc" } }),
  };
}

const tokenOf = (link: string) => decodeURIComponent(link.split("/invite/")[1]!);

describe("personal workspaces", () => {
  it("every user gets exactly one at sign-up, which they own and cannot delete, leave or share", async () => {
    const a = await makeUser();
    const b = await makeUser();
    for (const u of [a, b]) {
      const mine = await u.caller.workspace.list();
      expect(mine).toEqual([
        expect.objectContaining({ personal: true, role: "owner", name: "Personal", slug: `personal-${u.id}`, memberCount: 1 }),
      ]);
    }
    const users = await db.user.count();
    expect(await db.workspace.count({ where: { personal: true } })).toBe(users);
    const perUser = await db.workspace.groupBy({ by: ["createdById"], where: { personal: true }, _count: true });
    expect(perUser.every((g) => g._count === 1)).toBe(true);

    const [personal] = await a.caller.workspace.list();
    const before = await everything();
    expect(await rejection(a.caller.workspace.delete({ id: personal!.id }))).toMatchObject({
      code: "CONFLICT",
      field: "id",
      message: expect.stringMatching(/personal workspace cannot be deleted/),
    });
    expect(await rejection(a.caller.workspace.leave({ id: personal!.id }))).toMatchObject({ code: "CONFLICT", field: "id" });
    expect(await rejection(a.caller.workspace.invite({ id: personal!.id, email: b.email, role: "member" }))).toMatchObject({
      code: "CONFLICT",
      field: "id",
      message: expect.stringMatching(/only its owner/),
    });
    expect(await rejection(a.caller.workspace.setRole({ id: personal!.id, userId: a.id, role: "admin" }))).toMatchObject({
      code: "CONFLICT",
      field: "role",
    });
    expect(await everything()).toEqual(before);
    // The database itself refuses a second personal workspace for one user.
    await expect(
      db.workspace.create({ data: { name: "Second", slug: `second-${a.id}`, personal: true, createdById: a.id } }),
    ).rejects.toThrow();
  });
});

describe("workspace.create / get / update / delete", () => {
  it("creates a team workspace owned by its creator, renames it keeping its slug, and deletes it with its members and invitations", async () => {
    const owner = await makeUser();
    const member = await makeUser();
    const ws = await owner.caller.workspace.create({ name: "  Ünïcode & Co.  " });
    expect(ws).toMatchObject({ name: "Ünïcode & Co.", personal: false, role: "owner", memberCount: 1 });
    expect(ws.slug).toMatch(/^unicode-co-[a-z0-9]{6}$/);
    const twin = await owner.caller.workspace.create({ name: "Ünïcode & Co." });
    expect(twin.slug).not.toBe(ws.slug);

    await owner.caller.workspace.invite({ id: ws.id, email: member.email, role: "member" });
    await owner.caller.workspace.invite({ id: ws.id, email: "pending@example.test", role: "viewer" });
    const renamed = await owner.caller.workspace.update({ id: ws.id, name: "Acme" });
    expect(renamed).toMatchObject({ id: ws.id, name: "Acme", slug: ws.slug, memberCount: 2 });
    expect(await member.caller.workspace.get({ id: ws.id })).toMatchObject({ name: "Acme", role: "member" });

    expect(await owner.caller.workspace.delete({ id: ws.id })).toEqual({ id: ws.id, deleted: true });
    expect(await db.workspaceMember.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await db.workspaceInvitation.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await rejection(member.caller.workspace.get({ id: ws.id }))).toMatchObject({ code: "NOT_FOUND", field: "id" });
    expect((await member.caller.workspace.list()).map((w) => w.id)).not.toContain(ws.id);
  });

  it("tells a non-member exactly what it tells anyone asking for an id that does not exist", async () => {
    const owner = await makeUser();
    const outsider = await makeUser({ role: "admin" });
    const ws = await team(owner);
    const hidden = await rejection(outsider.caller.workspace.get({ id: ws.id }));
    const missing = await rejection(outsider.caller.workspace.get({ id: "no-such-workspace" }));
    expect(hidden).toEqual(missing);
    expect(hidden).toMatchObject({ code: "NOT_FOUND", field: "id" });
  });
});

describe("roles", () => {
  it("an admin manages members and admins but cannot make, change or remove an owner", async () => {
    const [owner, admin, admin2, member] = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
    const ws = await team(owner, [
      [admin, "admin"],
      [admin2, "admin"],
      [member, "member"],
    ]);
    const before = await everything();
    expect(await rejection(admin.caller.workspace.setRole({ id: ws.id, userId: member.id, role: "owner" }))).toMatchObject({
      code: "FORBIDDEN",
      field: "role",
    });
    expect(await rejection(admin.caller.workspace.setRole({ id: ws.id, userId: admin.id, role: "owner" }))).toMatchObject({
      code: "FORBIDDEN",
      field: "role",
    });
    expect(await rejection(admin.caller.workspace.setRole({ id: ws.id, userId: owner.id, role: "member" }))).toMatchObject({
      code: "FORBIDDEN",
      field: "userId",
    });
    expect(await rejection(admin.caller.workspace.removeMember({ id: ws.id, userId: owner.id }))).toMatchObject({
      code: "FORBIDDEN",
      field: "userId",
    });
    expect(await rejection(admin.caller.workspace.invite({ id: ws.id, email: "boss@example.test", role: "owner" }))).toMatchObject({
      code: "FORBIDDEN",
      field: "role",
    });
    expect(await rejection(admin.caller.workspace.delete({ id: ws.id }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await everything()).toEqual(before);

    expect(await admin.caller.workspace.setRole({ id: ws.id, userId: member.id, role: "viewer" })).toMatchObject({
      userId: member.id,
      role: "viewer",
    });
    expect(await admin.caller.workspace.setRole({ id: ws.id, userId: admin2.id, role: "member" })).toMatchObject({ role: "member" });
    expect(await admin.caller.workspace.removeMember({ id: ws.id, userId: admin2.id })).toEqual({ userId: admin2.id, removed: true });
    expect(await roleOf(ws.id, admin2.id)).toBeNull();
    // An owner may make an owner.
    expect(await owner.caller.workspace.setRole({ id: ws.id, userId: admin.id, role: "owner" })).toMatchObject({ role: "owner" });
  });

  it("a viewer reads but manages nothing; a member leaves; a removed member loses access", async () => {
    const [owner, viewer, member] = [await makeUser(), await makeUser(), await makeUser()];
    const ws = await team(owner, [
      [viewer, "viewer"],
      [member, "member"],
    ]);
    const listed = await viewer.caller.workspace.members({ id: ws.id });
    expect(listed.myRole).toBe("viewer");
    expect(listed.members.map((m) => [m.userId, m.role])).toEqual([
      [owner.id, "owner"],
      ...[
        [member.id, "member"],
        [viewer.id, "viewer"],
      ],
    ]);
    expect(listed.invitations).toBeNull();
    for (const call of [
      () => viewer.caller.workspace.update({ id: ws.id, name: "Mine now" }),
      () => viewer.caller.workspace.invite({ id: ws.id, email: "friend@example.test", role: "viewer" }),
      () => viewer.caller.workspace.setRole({ id: ws.id, userId: viewer.id, role: "admin" }),
      () => viewer.caller.workspace.removeMember({ id: ws.id, userId: member.id }),
    ]) {
      expect((await rejection(call())).code).toBe("FORBIDDEN");
    }
    expect(await member.caller.workspace.leave({ id: ws.id })).toEqual({ id: ws.id, left: true });
    expect(await rejection(member.caller.workspace.get({ id: ws.id }))).toMatchObject({ code: "NOT_FOUND" });
    await owner.caller.workspace.removeMember({ id: ws.id, userId: viewer.id });
    expect(await rejection(viewer.caller.workspace.members({ id: ws.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(owner.caller.workspace.removeMember({ id: ws.id, userId: viewer.id }))).toMatchObject({
      code: "NOT_FOUND",
      field: "userId",
    });
  });

  it("the last owner cannot leave, be demoted or be removed; with two owners one may step down", async () => {
    const [owner, second] = [await makeUser(), await makeUser()];
    const ws = await team(owner, [[second, "admin"]]);
    const before = await everything();
    expect(await rejection(owner.caller.workspace.leave({ id: ws.id }))).toMatchObject({
      code: "CONFLICT",
      field: "id",
      message: expect.stringMatching(/last owner/),
    });
    expect(await rejection(owner.caller.workspace.setRole({ id: ws.id, userId: owner.id, role: "admin" }))).toMatchObject({
      code: "CONFLICT",
      field: "role",
      message: expect.stringMatching(/last owner/),
    });
    expect(await rejection(owner.caller.workspace.removeMember({ id: ws.id, userId: owner.id }))).toMatchObject({
      code: "CONFLICT",
      field: "id",
    });
    expect(await everything()).toEqual(before);

    await owner.caller.workspace.setRole({ id: ws.id, userId: second.id, role: "owner" });
    await owner.caller.workspace.setRole({ id: ws.id, userId: owner.id, role: "member" });
    expect(await roleOf(ws.id, owner.id)).toBe("member");
    expect(await rejection(second.caller.workspace.leave({ id: ws.id }))).toMatchObject({ code: "CONFLICT" });
  });

  it("two owners demoting each other at once leave one owner, never none", async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    const ws = await team(a, [[b, "owner"]]);
    const results = await Promise.allSettled([
      a.caller.workspace.setRole({ id: ws.id, userId: b.id, role: "member" }),
      b.caller.workspace.setRole({ id: ws.id, userId: a.id, role: "member" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.workspaceMember.count({ where: { workspaceId: ws.id, role: "owner" } })).toBe(1);
  });
});

describe("invitations", () => {
  it("adds an existing user at once; an unknown email gets a one-time link, stored only as its hash", async () => {
    const [owner, existing] = [await makeUser(), await makeUser()];
    const ws = await team(owner);
    expect(await owner.caller.workspace.invite({ id: ws.id, email: existing.email.toUpperCase(), role: "viewer" })).toEqual({
      status: "added",
      member: { userId: existing.id, name: existing.name, email: existing.email, role: "viewer" },
    });
    expect(await roleOf(ws.id, existing.id)).toBe("viewer");
    expect(await db.workspaceInvitation.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await rejection(owner.caller.workspace.invite({ id: ws.id, email: existing.email, role: "admin" }))).toMatchObject({
      code: "CONFLICT",
      field: "email",
    });

    const invited = await owner.caller.workspace.invite({ id: ws.id, email: "Newcomer@Example.test", role: "member" });
    if (invited.status !== "invited") throw new Error("expected an invitation");
    expect(invited.link).toMatch(new RegExp(`^${config.PUBLIC_URL}/invite/pdkinv_[A-Za-z0-9_-]+$`));
    expect(invited.invitation.email).toBe("newcomer@example.test");
    const days = (invited.invitation.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(config.WORKSPACE_INVITE_TTL_DAYS - 0.01);
    expect(days).toBeLessThanOrEqual(config.WORKSPACE_INVITE_TTL_DAYS);
    const token = tokenOf(invited.link);
    const stored = await db.workspaceInvitation.findUniqueOrThrow({ where: { id: invited.invitation.id } });
    expect(stored.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    // Managers see it pending, without the token; the link is never shown again.
    const { invitations } = await owner.caller.workspace.members({ id: ws.id });
    expect(invitations).toEqual([expect.objectContaining({ id: invited.invitation.id, email: "newcomer@example.test", role: "member" })]);
    expect(JSON.stringify(invitations)).not.toContain(token);
    expect(JSON.stringify(invitations)).not.toContain(stored.tokenHash);

    const newcomer = await makeUser({ email: "newcomer@example.test" });
    expect(await newcomer.caller.workspace.acceptInvite({ token })).toMatchObject({
      workspace: { id: ws.id, name: "Acme Robotics" },
      role: "member",
    });
    expect(await roleOf(ws.id, newcomer.id)).toBe("member");
    expect((await owner.caller.workspace.members({ id: ws.id })).invitations).toEqual([]);
    // One use.
    const before = await everything();
    expect(await rejection(newcomer.caller.workspace.acceptInvite({ token }))).toMatchObject({
      code: "CONFLICT",
      field: "token",
      message: expect.stringMatching(/already been used/),
    });
    expect(await everything()).toEqual(before);
  });

  it("only the invited email may accept, and not after the link expires; a new invitation replaces the old link", async () => {
    const owner = await makeUser();
    const ws = await team(owner);
    const first = await owner.caller.workspace.invite({ id: ws.id, email: "later@example.test", role: "admin" });
    const second = await owner.caller.workspace.invite({ id: ws.id, email: "later@example.test", role: "viewer" });
    if (first.status !== "invited" || second.status !== "invited") throw new Error("expected invitations");
    const stranger = await makeUser();
    const invitee = await makeUser({ email: "later@example.test" });
    const before = await everything();
    expect(await rejection(stranger.caller.workspace.acceptInvite({ token: tokenOf(second.link) }))).toMatchObject({
      code: "FORBIDDEN",
      field: "token",
      message: expect.stringMatching(/another email address/),
    });
    expect(await rejection(invitee.caller.workspace.acceptInvite({ token: tokenOf(first.link) }))).toMatchObject({
      code: "NOT_FOUND",
      field: "token",
    });
    expect(await rejection(invitee.caller.workspace.acceptInvite({ token: "pdkinv_made-up" }))).toMatchObject({
      code: "NOT_FOUND",
      field: "token",
    });
    vi.useFakeTimers({ toFake: ["Date"], now: second.invitation.expiresAt.getTime() });
    try {
      expect(await rejection(invitee.caller.workspace.acceptInvite({ token: tokenOf(second.link) }))).toMatchObject({
        code: "CONFLICT",
        field: "token",
        message: expect.stringMatching(/expired/),
      });
    } finally {
      vi.useRealTimers();
    }
    expect(await everything()).toEqual(before);
    // A moment before it expires, it works.
    vi.useFakeTimers({ toFake: ["Date"], now: second.invitation.expiresAt.getTime() - 1_000 });
    try {
      expect(await invitee.caller.workspace.acceptInvite({ token: tokenOf(second.link) })).toMatchObject({ role: "viewer" });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("workspace.revokeInvite", () => {
  it("withdraws a pending invitation so its link stops working, only within its own workspace", async () => {
    const owner = await makeUser();
    const ws = await team(owner);
    const other = await team(owner);
    const invited = await owner.caller.workspace.invite({ id: ws.id, email: "oops@example.test", role: "member" });
    if (invited.status !== "invited") throw new Error("expected an invitation");
    const before = await everything();
    expect(await rejection(owner.caller.workspace.revokeInvite({ id: other.id, invitationId: invited.invitation.id }))).toMatchObject({
      code: "NOT_FOUND",
      field: "invitationId",
    });
    expect(await everything()).toEqual(before);
    expect(await owner.caller.workspace.revokeInvite({ id: ws.id, invitationId: invited.invitation.id })).toEqual({
      invitationId: invited.invitation.id,
      revoked: true,
    });
    expect((await owner.caller.workspace.members({ id: ws.id })).invitations).toEqual([]);
    const oops = await makeUser({ email: "oops@example.test" });
    expect(await rejection(oops.caller.workspace.acceptInvite({ token: tokenOf(invited.link) }))).toMatchObject({
      code: "NOT_FOUND",
      field: "token",
    });
    expect(await roleOf(ws.id, oops.id)).toBeNull();
    expect(await rejection(owner.caller.workspace.revokeInvite({ id: ws.id, invitationId: invited.invitation.id }))).toMatchObject({
      code: "NOT_FOUND",
      field: "invitationId",
    });
  });
});

describe("bad input", () => {
  it.each([
    ["create", "name", (u: TestUser) => u.caller.workspace.create({ name: "   " })],
    ["create", "name", (u: TestUser) => u.caller.workspace.create({ name: "x".repeat(81) })],
    ["update", "name", (u: TestUser, id: string) => u.caller.workspace.update({ id, name: "" })],
    ["get", "id", (u: TestUser) => u.caller.workspace.get({ id: "" })],
    ["invite", "email", (u: TestUser, id: string) => u.caller.workspace.invite({ id, email: "not an email", role: "member" })],
    ["invite", "role", (u: TestUser, id: string) => u.caller.workspace.invite({ id, email: "ok@example.test", role: "guest" as "member" })],
    ["setRole", "role", (u: TestUser, id: string) => u.caller.workspace.setRole({ id, userId: u.id, role: "superuser" as "member" })],
    ["removeMember", "userId", (u: TestUser, id: string) => u.caller.workspace.removeMember({ id, userId: "" })],
    ["revokeInvite", "invitationId", (u: TestUser, id: string) => u.caller.workspace.revokeInvite({ id, invitationId: "" })],
    ["acceptInvite", "token", (u: TestUser) => u.caller.workspace.acceptInvite({ token: "" })],
  ] as const)("%s: a bad %s is refused with a 400 naming it, and nothing is written", async (_name, field, call) => {
    const owner = await makeUser();
    const ws = await team(owner);
    const before = await everything();
    expect(await rejection(call(owner, ws.id))).toMatchObject({ code: "BAD_REQUEST", field });
    expect(await everything()).toEqual(before);
  });
});
