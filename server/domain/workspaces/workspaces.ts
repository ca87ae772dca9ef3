// Workspaces themselves: create, list the caller's, read, rename, delete.
import { Prisma, type Db, type DbClient } from "../../lib/db";
import { deleteRefusal, renameRefusal, type WorkspaceRole } from "@shared/workspace-rules";
import { enforce, lockedMembershipOf, membershipOf, workspaceSelect } from "./access";
import { teamSlug } from "./slug";
import { personalWorkspaceId } from "./personal";
import { isLiveRun } from "@shared/run-status";
import { statusKeepsPlan } from "@shared/billing";
import { AppError } from "../../lib/errors";

export interface WorkspaceView {
  id: string;
  name: string;
  slug: string;
  personal: boolean;
  createdAt: Date;
  role: WorkspaceRole;
  memberCount: number;
}

/** Creates a team workspace with its creator as the owner. */
export async function createWorkspace(db: Db, args: { userId: string; name: string }): Promise<WorkspaceView> {
  // A random suffix makes a slug collision all but impossible; one retry covers the rest.
  for (let attempt = 0; ; attempt++) {
    try {
      const ws = await db.workspace.create({
        data: {
          name: args.name,
          slug: teamSlug(args.name),
          createdById: args.userId,
          members: { create: { userId: args.userId, role: "owner" } },
        },
        select: workspaceSelect,
      });
      return { ...ws, role: "owner", memberCount: 1 };
    } catch (e) {
      if (attempt < 2 && e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") continue;
      throw e;
    }
  }
}

/** The user's workspaces with their role in each: the personal one first, then by name. */
export async function listWorkspaces(db: DbClient, args: { userId: string }): Promise<WorkspaceView[]> {
  const rows = await db.workspaceMember.findMany({
    where: { userId: args.userId },
    select: { role: true, workspace: { select: { ...workspaceSelect, _count: { select: { members: true } } } } },
    orderBy: [{ workspace: { personal: "desc" } }, { workspace: { name: "asc" } }, { workspaceId: "asc" }],
  });
  return rows.map(({ role, workspace: { _count, ...ws } }) => ({ ...ws, role, memberCount: _count.members }));
}

export async function getWorkspace(db: DbClient, args: { userId: string; workspaceId: string }): Promise<WorkspaceView> {
  const { workspace, role } = await membershipOf(db, args.workspaceId, args.userId);
  const memberCount = await db.workspaceMember.count({ where: { workspaceId: workspace.id } });
  return { ...workspace, role, memberCount };
}

/** Renames the workspace; its slug stays, so links to it keep working. */
export async function renameWorkspace(db: Db, args: { userId: string; workspaceId: string; name: string }): Promise<WorkspaceView> {
  const { role } = await membershipOf(db, args.workspaceId, args.userId);
  enforce(renameRefusal(role));
  await db.workspace.update({ where: { id: args.workspaceId }, data: { name: args.name } });
  return getWorkspace(db, args);
}

/**
 * Deletes a team workspace with its members and invitations; refused while it has live runs.
 * Its ended runs hold bets and ledger history, so they are kept: they move to the deleting
 * owner's personal workspace with their visibility (public ones stay in the arena).
 */
/** `memberIds`: who was a member, for the caller's live effect (their sockets re-check their rooms). */
export async function deleteWorkspace(
  db: Db,
  args: { userId: string; workspaceId: string },
): Promise<{ id: string; deleted: true; memberIds: string[] }> {
  return db.$transaction(async (tx) => {
    const { role, workspace } = await lockedMembershipOf(tx, args.workspaceId, args.userId);
    enforce(deleteRefusal(role, workspace));
    // A launch's foreign key check holds a key-share lock on the workspace row until it commits,
    // so with the row lock taken above every run created before now is counted here and any
    // later one fails its foreign key.
    const runs = await tx.run.findMany({ where: { workspaceId: workspace.id }, select: { status: true } });
    enforce(deleteRefusal(role, { ...workspace, liveRuns: runs.filter((r) => isLiveRun(r.status)).length }));
    // A subscription Stripe keeps charging would outlive the workspace (domain/billing/subscriptions.ts).
    const billing = await tx.workspaceBilling.findUnique({ where: { workspaceId: workspace.id } });
    if (billing && statusKeepsPlan(billing.subscriptionStatus) && billing.plan !== "free" && !billing.cancelAtPeriodEnd) {
      throw new AppError("CONFLICT", "the workspace has a paid plan: cancel it on its billing page (Manage subscription) first", {
        field: "id",
      });
    }
    if (runs.length > 0) {
      const personal = await personalWorkspaceId(tx, args.userId);
      if (!personal)
        throw new AppError("CONFLICT", "you have no personal workspace to keep the workspace's ended runs in", { field: "id" });
      await tx.run.updateMany({ where: { workspaceId: workspace.id }, data: { workspaceId: personal } });
    }
    const memberIds = (await tx.workspaceMember.findMany({ where: { workspaceId: workspace.id }, select: { userId: true } })).map(
      (m) => m.userId,
    );
    await tx.workspace.delete({ where: { id: workspace.id } });
    return { id: workspace.id, deleted: true as const, memberIds };
  });
}
