// Who takes part in a project outside the work itself: the project's clients (the users it is
// shared with, still members of its workspace) and, for the message thread, the workspace's members
// who may see its work. Anyone else is told the project does not exist (NOT_FOUND), as for a
// made-up id.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { can } from "@shared/workspace-rules";

export const sharedProjectNotFound = (field = "id") => new AppError("NOT_FOUND", "no project with that id among yours", { field });

/** The row filter of the projects shared with this user (a client still in the project's workspace). */
export const sharedWith = (userId: string) => ({
  shares: { some: { userId } },
  workspace: { members: { some: { userId } } },
});

export const portalProjectSelect = {
  id: true,
  workspaceId: true,
  name: true,
  brief: true,
  status: true,
  deadline: true,
  createdAt: true,
  workspace: { select: { name: true } },
} as const;

/** The project if it is shared with the user; NOT_FOUND otherwise. */
export async function sharedProject(db: DbClient, input: { userId: string; projectId: string; field?: string }) {
  const project = await db.project.findFirst({ where: { id: input.projectId, ...sharedWith(input.userId) }, select: portalProjectSelect });
  if (!project) throw sharedProjectNotFound(input.field);
  return project;
}

export type Participant = { as: "member" | "client"; project: { id: string; workspaceId: string; name: string } };

/**
 * How the user takes part in the project's thread: a member of its workspace who may see its work,
 * or a client it is shared with. NOT_FOUND for anyone else (a client it is not shared with too).
 */
export async function projectParticipant(db: DbClient, input: { userId: string; projectId: string; field?: string }): Promise<Participant> {
  const project = await db.project.findUnique({
    where: { id: input.projectId },
    select: {
      id: true,
      workspaceId: true,
      name: true,
      workspace: { select: { members: { where: { userId: input.userId }, select: { role: true } } } },
      shares: { where: { userId: input.userId }, select: { userId: true } },
    },
  });
  const role = project?.workspace.members[0]?.role;
  if (!project || !role) throw sharedProjectNotFound(input.field);
  const { workspace: _w, shares, ...rest } = project;
  if (can(role, "view")) return { as: "member", project: rest };
  if (shares.length > 0) return { as: "client", project: rest };
  throw sharedProjectNotFound(input.field);
}

/** The users a message on the project reaches in their own rooms: its clients (members get the workspace room). */
export async function projectClientIds(db: DbClient, project: { id: string; workspaceId: string }): Promise<string[]> {
  const rows = await db.projectShare.findMany({
    where: { projectId: project.id, user: { workspaceMemberships: { some: { workspaceId: project.workspaceId, role: "client" } } } },
    select: { userId: true },
  });
  return rows.map((r) => r.userId);
}
