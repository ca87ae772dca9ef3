// Every user's personal workspace, made with the account (registerUser). Migration
// 20261202180000_workspaces gave existing users the same shape.
import type { DbClient, Prisma } from "../../lib/db";

export const PERSONAL_WORKSPACE_NAME = "Personal";

/** Unique because the user id is; a team slug always ends in a short suffix instead (slug.ts). */
export const personalSlug = (userId: string) => `personal-${userId}`;

export async function createPersonalWorkspace(tx: Prisma.TransactionClient, userId: string) {
  return tx.workspace.create({
    data: {
      name: PERSONAL_WORKSPACE_NAME,
      slug: personalSlug(userId),
      personal: true,
      createdById: userId,
      members: { create: { userId, role: "owner" } },
    },
    select: { id: true },
  });
}

/** The user's personal workspace, or null for a user made outside registerUser (set-based fixtures). */
export async function personalWorkspaceId(db: DbClient, userId: string): Promise<string | null> {
  const row = await db.workspace.findFirst({ where: { createdById: userId, personal: true }, select: { id: true } });
  return row?.id ?? null;
}
