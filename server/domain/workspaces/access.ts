// Membership checks shared by every workspace command. Someone who is not a member is told the
// workspace does not exist (NOT_FOUND), so ids reveal nothing; a member without the permission
// gets FORBIDDEN with the rule's own message.
import { AppError } from "../../lib/errors";
import type { DbClient, Prisma } from "../../lib/db";
import type { WorkspaceRefusal, WorkspaceRole } from "@shared/workspace-rules";

export const workspaceSelect = {
  id: true,
  name: true,
  slug: true,
  personal: true,
  createdAt: true,
} satisfies Prisma.WorkspaceSelect;

export type WorkspaceSummary = Prisma.WorkspaceGetPayload<{ select: typeof workspaceSelect }>;

export interface Membership {
  workspace: WorkspaceSummary;
  role: WorkspaceRole;
}

export function workspaceNotFound(): AppError {
  return new AppError("NOT_FOUND", "no workspace with that id among yours", { field: "id" });
}

/** The user's membership of the workspace; NOT_FOUND when there is none (or no such workspace). */
export async function membershipOf(db: DbClient, workspaceId: string, userId: string): Promise<Membership> {
  const row = await db.workspaceMember.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { role: true, workspace: { select: workspaceSelect } },
  });
  if (!row) throw workspaceNotFound();
  return row;
}

/**
 * Takes the workspace's row lock for the rest of the transaction, then the user's membership.
 * Every command that changes members holds this lock, so two of them cannot both pass the
 * last-owner rule on the same count.
 */
export async function lockedMembershipOf(tx: Prisma.TransactionClient, workspaceId: string, userId: string): Promise<Membership> {
  await tx.$queryRaw`SELECT 1 FROM "workspaces" WHERE "id" = ${workspaceId} FOR UPDATE`;
  return membershipOf(tx, workspaceId, userId);
}

export async function ownerCount(db: DbClient, workspaceId: string): Promise<number> {
  return db.workspaceMember.count({ where: { workspaceId, role: "owner" } });
}

/** Throws the refusal a rule in shared/workspace-rules.ts returned, if any. */
export function enforce(refusal: WorkspaceRefusal | null): void {
  if (refusal) throw new AppError(refusal.code, refusal.message, refusal.field ? { field: refusal.field } : {});
}
