// Who may see and start a project's pipelines: the project's workspace membership. Someone who is
// not a member is told the project (or pipeline, or batch) does not exist.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { can } from "@shared/workspace-rules";
import { membershipOf } from "../workspaces/access";

export interface PipelineActor {
  userId: string;
}

export const projectNotFound = () => new AppError("NOT_FOUND", "no project with that id among your workspaces", { field: "projectId" });

/** The project, if the actor may start pipelines in it (members, admins, owners; viewers may not). */
export async function projectForStart(db: DbClient, actor: PipelineActor, projectId: string) {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: { id: true, workspaceId: true, status: true, brief: true },
  });
  if (!project) throw projectNotFound();
  const membership = await membershipOf(db, project.workspaceId, actor.userId).catch(() => null);
  if (!membership) throw projectNotFound();
  if (!can(membership.role, "launchRuns")) {
    throw new AppError("FORBIDDEN", "viewers cannot start pipelines: ask an owner, admin or member of the workspace", {
      field: "projectId",
    });
  }
  if (project.status !== "active") {
    throw new AppError("CONFLICT", `the project is ${project.status}: pipelines start only in an active project`, { field: "projectId" });
  }
  return project;
}

/** Throws NOT_FOUND (naming `field`) unless the actor is a member of the workspace. */
export async function assertCanView(db: DbClient, actor: PipelineActor, workspaceId: string, notFound: () => AppError): Promise<void> {
  const membership = await membershipOf(db, workspaceId, actor.userId).catch(() => null);
  if (!membership) throw notFound();
}
