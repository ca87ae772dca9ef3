// Who may see and start a project's pipelines: the work rule of the project's workspace
// (shared/task-rules.ts through server/domain/work-access.ts) — `editWork` to start, `view` to read.
// Someone outside the workspace is told the project (pipeline, batch) does not exist.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { projectFor } from "../projects";
import { requireWork } from "../work-access";

export interface PipelineActor {
  userId: string;
}

/** The project, if the actor may start pipelines in it and it is active. */
export async function projectForStart(db: DbClient, actor: PipelineActor, projectId: string) {
  const project = await projectFor(db, { userId: actor.userId, projectId, permission: "editWork", field: "projectId" });
  if (project.status !== "active") {
    throw new AppError("CONFLICT", `the project is ${project.status}: pipelines start only in an active project`, { field: "projectId" });
  }
  return project;
}

/** Throws NOT_FOUND (naming `field`) unless the actor may see the workspace's work. */
export async function assertCanView(db: DbClient, actor: PipelineActor, workspaceId: string, field: string, what: string): Promise<void> {
  await requireWork(db, { workspaceId, userId: actor.userId, permission: "view", field, what });
}
