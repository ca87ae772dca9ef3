// Workspaces themselves: create, list the caller's, read, rename, delete.
import { Prisma, type Db, type DbClient } from "../../lib/db";
import { deleteRefusal, renameRefusal, type WorkspaceRole } from "@shared/workspace-rules";
import { enforce, lockedMembershipOf, membershipOf, workspaceSelect } from "./access";
import { teamSlug } from "./slug";

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
        data: { name: args.name, slug: teamSlug(args.name), createdById: args.userId, members: { create: { userId: args.userId, role: "owner" } } },
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
 * Deletes a team workspace with its members and invitations. Runs do not belong to workspaces
 * yet, so there is nothing else to refuse on or to take with it.
 */
export async function deleteWorkspace(db: Db, args: { userId: string; workspaceId: string }): Promise<{ id: string; deleted: true }> {
  return db.$transaction(async (tx) => {
    const { role, workspace } = await lockedMembershipOf(tx, args.workspaceId, args.userId);
    enforce(deleteRefusal(role, workspace));
    await tx.workspace.delete({ where: { id: workspace.id } });
    return { id: workspace.id, deleted: true as const };
  });
}
