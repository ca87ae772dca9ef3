// Who may see and change a workspace's work (agents, projects, tasks): the workspace role rules of
// shared/workspace-rules.ts applied to the caller's membership. Someone outside the workspace is
// told the thing does not exist (NOT_FOUND), a member without the permission gets FORBIDDEN. A
// client holds no permission, not even `view`: the workspace's work does not exist for them (they
// see the projects shared with them through portal.*).
import { AppError } from "../lib/errors";
import type { DbClient } from "../lib/db";
import { can, type WorkspaceRole } from "@shared/workspace-rules";
import { workRefusal } from "@shared/task-rules";

export type WorkPermissionName = "view" | "editWork" | "manageAgents";

/** The caller's role in the workspace, after checking the permission. `what` names the thing in the NOT_FOUND message. */
export async function requireWork(
  db: DbClient,
  input: { workspaceId: string; userId: string; permission: WorkPermissionName; field: string; what: string },
): Promise<WorkspaceRole> {
  const member = await db.workspaceMember.findUnique({
    where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } },
    select: { role: true },
  });
  if (!member || !can(member.role, "view"))
    throw new AppError("NOT_FOUND", `no ${input.what} with that id among yours`, { field: input.field });
  const refusal = workRefusal(member.role, input.permission);
  if (refusal) throw new AppError("FORBIDDEN", refusal, { field: input.field });
  return member.role;
}
