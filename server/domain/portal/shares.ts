// Sharing a project with a client: the workspace's owners and admins (shared/workspace-rules.ts
// shareRefusal) share it by email. Someone with an account becomes a client of the workspace (if
// not one already) and sees the project in the portal at once; an email with no account gets a
// client invitation (server/domain/workspaces/invitations.ts) that shares the project once
// accepted. The workspace's members see every project already: sharing with one is refused.
import { AppError } from "../../lib/errors";
import type { Db, DbClient, Prisma } from "../../lib/db";
import { PERSONAL_IS_SOLO, shareRefusal } from "@shared/workspace-rules";
import { enforce, lockedMembershipOf, membershipOf } from "../workspaces/access";
import { pendingInvitation } from "../workspaces/invitations";
import { projectNotFound } from "../projects";

export type ShareResult =
  | { status: "shared"; share: { userId: string; name: string; email: string }; addedAsClient: boolean }
  | { status: "invited"; invitation: { id: string; email: string; expiresAt: Date }; link: string };

/** The project, if the actor may manage its shares: NOT_FOUND outside the workspace (and for its clients), FORBIDDEN for other members. */
/** `locked`: in a transaction, take the workspace's row lock first (as member changes do). */
async function sharedBy(db: DbClient, input: { actorId: string; projectId: string }, locked?: Prisma.TransactionClient) {
  const project = await db.project.findUnique({ where: { id: input.projectId }, select: { id: true, workspaceId: true, name: true } });
  if (!project) throw projectNotFound("projectId");
  const membership = await (
    locked ? lockedMembershipOf(locked, project.workspaceId, input.actorId) : membershipOf(db, project.workspaceId, input.actorId)
  ).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND") throw projectNotFound("projectId");
    throw e;
  });
  if (membership.role === "client") throw projectNotFound("projectId");
  enforce(shareRefusal(membership.role));
  return { project, workspace: membership.workspace };
}

export async function shareProject(
  db: Db,
  args: { actorId: string; projectId: string; email: string; publicUrl: string; ttlDays: number; now?: Date },
): Promise<ShareResult> {
  const now = args.now ?? new Date();
  return db.$transaction(async (tx) => {
    const { project, workspace } = await sharedBy(tx, { actorId: args.actorId, projectId: args.projectId }, tx);
    if (workspace.personal) throw new AppError("CONFLICT", PERSONAL_IS_SOLO, { field: "projectId" });
    const user = await tx.user.findUnique({ where: { email: args.email }, select: { id: true, name: true, email: true } });
    if (!user) {
      const invited = await pendingInvitation(tx, {
        actorId: args.actorId,
        workspaceId: project.workspaceId,
        email: args.email,
        role: "client",
        publicUrl: args.publicUrl,
        ttlDays: args.ttlDays,
        now,
        projectIds: [project.id],
      });
      return {
        status: "invited",
        invitation: { id: invited.invitation.id, email: invited.invitation.email, expiresAt: invited.invitation.expiresAt },
        link: invited.link,
      };
    }
    const member = await tx.workspaceMember.findUnique({
      where: { workspaceId_userId: { workspaceId: project.workspaceId, userId: user.id } },
      select: { role: true },
    });
    if (member && member.role !== "client") {
      throw new AppError("CONFLICT", `${user.email} is a ${member.role} of this workspace and sees every project already`, {
        field: "email",
      });
    }
    if (!member) await tx.workspaceMember.create({ data: { workspaceId: project.workspaceId, userId: user.id, role: "client" } });
    await tx.projectShare.createMany({
      data: [{ projectId: project.id, userId: user.id, createdById: args.actorId }],
      skipDuplicates: true,
    });
    return { status: "shared", share: { userId: user.id, name: user.name, email: user.email }, addedAsClient: !member };
  });
}

/** Withdraws the share: the client no longer sees the project (they stay a client of the workspace). */
export async function unshareProject(db: Db, args: { actorId: string; projectId: string; userId: string }) {
  return db.$transaction(async (tx) => {
    const { project } = await sharedBy(tx, { actorId: args.actorId, projectId: args.projectId }, tx);
    const { count } = await tx.projectShare.deleteMany({ where: { projectId: project.id, userId: args.userId } });
    if (count === 0) throw new AppError("NOT_FOUND", "the project is not shared with that user", { field: "userId" });
    return { projectId: project.id, userId: args.userId, unshared: true as const };
  });
}

/** Who the project is shared with, and the pending client invitations that will share it. */
export async function listShares(db: DbClient, args: { actorId: string; projectId: string; now?: Date }) {
  const { project } = await sharedBy(db, { actorId: args.actorId, projectId: args.projectId });
  const [shares, invitations] = await Promise.all([
    db.projectShare.findMany({
      where: { projectId: project.id },
      select: { userId: true, createdAt: true, user: { select: { name: true, email: true } } },
      orderBy: { createdAt: "asc" },
    }),
    db.workspaceInvitation.findMany({
      where: {
        workspaceId: project.workspaceId,
        acceptedAt: null,
        expiresAt: { gt: args.now ?? new Date() },
        projectIds: { has: project.id },
      },
      select: { id: true, email: true, expiresAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ]);
  return {
    shares: shares.map((s) => ({ userId: s.userId, name: s.user.name, email: s.user.email, sharedAt: s.createdAt })),
    invitations,
  };
}
