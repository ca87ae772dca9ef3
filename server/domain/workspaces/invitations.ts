// Invitations: an email with an account is added at once; any other gets a one-time link that
// expires. Only the link token's SHA-256 is stored, and the link is shown once, to the inviter.
import { AppError } from "../../lib/errors";
import type { Db, Prisma } from "../../lib/db";
import { hashToken, newToken } from "../../lib/passwords";
import { inviteRefusal, revokeInviteRefusal, type WorkspaceRole } from "@shared/workspace-rules";
import { enforce, lockedMembershipOf } from "./access";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InviteArgs {
  actorId: string;
  workspaceId: string;
  /** Lowercased (shared/schemas.ts emailSchema), as users' emails are stored. */
  email: string;
  role: WorkspaceRole;
  /** Where the invite page is served: the link is `${publicUrl}/invite/<token>`. */
  publicUrl: string;
  ttlDays: number;
  now?: Date;
}

export type InviteResult =
  | { status: "added"; member: { userId: string; name: string; email: string; role: WorkspaceRole } }
  | { status: "invited"; invitation: { id: string; email: string; role: WorkspaceRole; expiresAt: Date }; link: string };

export async function inviteToWorkspace(db: Db, args: InviteArgs): Promise<InviteResult> {
  const now = args.now ?? new Date();
  return db.$transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, args.workspaceId, args.actorId);
    enforce(inviteRefusal(actor.role, args.role, actor.workspace));
    const user = await tx.user.findUnique({ where: { email: args.email }, select: { id: true, name: true, email: true } });
    if (user) {
      const existing = await tx.workspaceMember.findUnique({
        where: { workspaceId_userId: { workspaceId: args.workspaceId, userId: user.id } },
        select: { role: true },
      });
      if (existing)
        throw new AppError("CONFLICT", `${user.email} is already a member (${existing.role}); change their role instead`, {
          field: "email",
        });
      await tx.workspaceMember.create({ data: { workspaceId: args.workspaceId, userId: user.id, role: args.role } });
      return { status: "added", member: { userId: user.id, name: user.name, email: user.email, role: args.role } };
    }
    return pendingInvitation(tx, { ...args, now });
  });
}

/**
 * A one-time link for an email with no account yet. A new invitation replaces a pending one for the
 * same address: the older link stops working. `projectIds` (a client's invitation): the projects
 * shared with them once they accept; a replaced client invitation's projects carry over.
 */
export async function pendingInvitation(
  tx: Prisma.TransactionClient,
  args: Omit<InviteArgs, "now"> & { now: Date; projectIds?: string[] },
): Promise<Extract<InviteResult, { status: "invited" }>> {
  const { now } = args;
  const replaced = await tx.workspaceInvitation.findMany({
    where: { workspaceId: args.workspaceId, email: args.email, acceptedAt: null, role: args.role, expiresAt: { gt: now } },
    select: { projectIds: true },
  });
  const projectIds = args.projectIds ? [...new Set([...replaced.flatMap((r) => r.projectIds), ...args.projectIds])] : [];
  await tx.workspaceInvitation.deleteMany({ where: { workspaceId: args.workspaceId, email: args.email, acceptedAt: null } });
  const token = newToken("pdkinv");
  const invitation = await tx.workspaceInvitation.create({
    data: {
      workspaceId: args.workspaceId,
      email: args.email,
      role: args.role,
      tokenHash: hashToken(token),
      invitedById: args.actorId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + args.ttlDays * DAY_MS),
      projectIds,
    },
    select: { id: true, email: true, role: true, expiresAt: true },
  });
  return { status: "invited", invitation, link: `${args.publicUrl.replace(/\/+$/, "")}/invite/${encodeURIComponent(token)}` };
}

/** Withdraws a pending invitation: its link stops working. */
export async function revokeInvitation(db: Db, args: { actorId: string; workspaceId: string; invitationId: string }) {
  return db.$transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, args.workspaceId, args.actorId);
    enforce(revokeInviteRefusal(actor.role));
    const { count } = await tx.workspaceInvitation.deleteMany({
      where: { id: args.invitationId, workspaceId: args.workspaceId, acceptedAt: null },
    });
    if (count === 0) throw new AppError("NOT_FOUND", "no pending invitation with that id in this workspace", { field: "invitationId" });
    return { invitationId: args.invitationId, revoked: true as const };
  });
}

/**
 * Makes the signed-in user a member through an invitation link: only the invited email may use
 * it, once, before it expires. A user who is already a member keeps their role.
 */
export async function acceptInvitation(db: Db, args: { userId: string; token: string; now?: Date }) {
  const now = args.now ?? new Date();
  return db.$transaction(async (tx) => {
    const invitation = await tx.workspaceInvitation.findUnique({
      where: { tokenHash: hashToken(args.token) },
      select: {
        id: true,
        workspaceId: true,
        email: true,
        role: true,
        expiresAt: true,
        acceptedAt: true,
        projectIds: true,
        invitedById: true,
      },
    });
    if (!invitation) throw new AppError("NOT_FOUND", "this invitation link is not valid: ask for a new invitation", { field: "token" });
    const user = await tx.user.findUniqueOrThrow({ where: { id: args.userId }, select: { email: true } });
    if (user.email !== invitation.email) {
      throw new AppError("FORBIDDEN", "this invitation was sent to another email address: sign in with that address to accept it", {
        field: "token",
      });
    }
    if (invitation.acceptedAt) throw new AppError("CONFLICT", "this invitation has already been used", { field: "token" });
    if (invitation.expiresAt <= now) throw new AppError("CONFLICT", "this invitation has expired: ask for a new one", { field: "token" });
    await tx.$queryRaw`SELECT 1 FROM "workspaces" WHERE "id" = ${invitation.workspaceId} FOR UPDATE`;
    // Conditional, so two tabs accepting at once use it once.
    const { count } = await tx.workspaceInvitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: now, acceptedById: args.userId },
    });
    if (count === 0) throw new AppError("CONFLICT", "this invitation has already been used", { field: "token" });
    const member = await tx.workspaceMember.upsert({
      where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId: args.userId } },
      create: { workspaceId: invitation.workspaceId, userId: args.userId, role: invitation.role },
      update: {},
      select: { role: true, workspace: { select: { id: true, name: true, slug: true } } },
    });
    // A client's invitation shares its projects (those still in the workspace) once accepted.
    if (member.role === "client" && invitation.projectIds.length > 0) {
      const projects = await tx.project.findMany({
        where: { id: { in: invitation.projectIds }, workspaceId: invitation.workspaceId },
        select: { id: true },
      });
      await tx.projectShare.createMany({
        data: projects.map((p) => ({ projectId: p.id, userId: args.userId, createdById: invitation.invitedById })),
        skipDuplicates: true,
      });
    }
    return { workspace: member.workspace, role: member.role };
  });
}
