// A workspace's members: who they are, role changes, removal and leaving.
import { AppError } from "../../lib/errors";
import type { Db, DbClient, Prisma } from "../../lib/db";
import { can, leaveRefusal, removalRefusal, roleChangeRefusal, type WorkspaceRole } from "@shared/workspace-rules";
import { enforce, lockedMembershipOf, membershipOf, ownerCount } from "./access";

const memberSelect = {
  userId: true,
  role: true,
  createdAt: true,
  user: { select: { name: true, email: true } },
} satisfies Prisma.WorkspaceMemberSelect;

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: WorkspaceRole;
  joinedAt: Date;
}

function memberView(row: Prisma.WorkspaceMemberGetPayload<{ select: typeof memberSelect }>): MemberView {
  return { userId: row.userId, name: row.user.name, email: row.user.email, role: row.role, joinedAt: row.createdAt };
}

const ROLE_ORDER: Record<WorkspaceRole, number> = { owner: 0, admin: 1, member: 2, viewer: 3, client: 4 };

/**
 * Every member (any member but a client may see who else is in the workspace) and, for those who manage
 * members, the pending invitations; `invitations` is null for the others.
 */
export async function listMembers(db: DbClient, args: { userId: string; workspaceId: string; now?: Date }) {
  const { role } = await membershipOf(db, args.workspaceId, args.userId);
  if (!can(role, "view")) throw new AppError("FORBIDDEN", "clients see only the projects shared with them, in the portal", { field: "id" });
  const rows = await db.workspaceMember.findMany({ where: { workspaceId: args.workspaceId }, select: memberSelect });
  const members = rows.map(memberView).sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name));
  const invitations = can(role, "manageMembers")
    ? await db.workspaceInvitation.findMany({
        where: { workspaceId: args.workspaceId, acceptedAt: null, expiresAt: { gt: args.now ?? new Date() } },
        select: { id: true, email: true, role: true, createdAt: true, expiresAt: true, invitedBy: { select: { name: true } } },
        orderBy: { createdAt: "desc" },
      })
    : null;
  return { myRole: role, members, invitations };
}

/** The target's membership, locked by the caller's workspace lock; NOT_FOUND (field userId) without one. */
async function targetMember(tx: Prisma.TransactionClient, workspaceId: string, userId: string) {
  const row = await tx.workspaceMember.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { userId: true, role: true },
  });
  if (!row) throw new AppError("NOT_FOUND", "that user is not a member of this workspace", { field: "userId" });
  return row;
}

// The membership changes below announce themselves once committed (realtime/membership.ts) rather
// than leaving it to each caller: a caller that forgot would leave a removed member's open
// sockets watching the workspace's private runs.

export async function setMemberRole(
  db: Db,
  args: { actorId: string; workspaceId: string; userId: string; role: WorkspaceRole },
): Promise<MemberView> {
  const view = await db.$transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, args.workspaceId, args.actorId);
    const target = await targetMember(tx, args.workspaceId, args.userId);
    const standing = { personal: actor.workspace.personal, ownerCount: await ownerCount(tx, args.workspaceId) };
    enforce(roleChangeRefusal({ userId: args.actorId, role: actor.role }, target, args.role, standing));
    const row = await tx.workspaceMember.update({
      where: { workspaceId_userId: { workspaceId: args.workspaceId, userId: args.userId } },
      data: { role: args.role },
      select: memberSelect,
    });
    return memberView(row);
  });
  return view;
}

export async function removeMember(
  db: Db,
  args: { actorId: string; workspaceId: string; userId: string },
): Promise<{ userId: string; removed: true }> {
  const result = await db.$transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, args.workspaceId, args.actorId);
    const target = await targetMember(tx, args.workspaceId, args.userId);
    const standing = { personal: actor.workspace.personal, ownerCount: await ownerCount(tx, args.workspaceId) };
    enforce(removalRefusal({ userId: args.actorId, role: actor.role }, target, standing));
    await tx.workspaceMember.delete({ where: { workspaceId_userId: { workspaceId: args.workspaceId, userId: args.userId } } });
    return { userId: args.userId, removed: true as const };
  });
  return result;
}

export async function leaveWorkspace(db: Db, args: { userId: string; workspaceId: string }): Promise<{ id: string; left: true }> {
  const result = await db.$transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, args.workspaceId, args.userId);
    enforce(leaveRefusal(actor, { personal: actor.workspace.personal, ownerCount: await ownerCount(tx, args.workspaceId) }));
    await tx.workspaceMember.delete({ where: { workspaceId_userId: { workspaceId: args.workspaceId, userId: args.userId } } });
    return { id: args.workspaceId, left: true as const };
  });
  return result;
}
