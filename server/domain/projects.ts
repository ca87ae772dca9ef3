// Projects: a workspace's body of work. The brief is the context every task of the project may
// see (it goes into each attempt's context snapshot). Members create and change them; viewers read.
import { AppError } from "../lib/errors";
import type { DbClient, Prisma } from "../lib/db";
import type { CreateProjectInput, UpdateProjectInput } from "@shared/work";
import { derivePriority } from "@shared/task-priority";
import { requireWork, type WorkPermissionName } from "./work-access";

export const projectSelect = {
  id: true,
  workspaceId: true,
  name: true,
  brief: true,
  status: true,
  deadline: true,
  tags: true,
  slaPolicy: true,
  createdById: true,
  createdAt: true,
  updatedAt: true,
  archivedAt: true,
} satisfies Prisma.ProjectSelect;

export const projectNotFound = (field = "id") => new AppError("NOT_FOUND", "no project with that id among yours", { field });

/** The project, if the user may do `permission` in its workspace (NOT_FOUND for outsiders). */
export async function projectFor(
  db: DbClient,
  input: { userId: string; projectId: string; permission: WorkPermissionName; field?: string },
) {
  const field = input.field ?? "id";
  const project = await db.project.findUnique({ where: { id: input.projectId }, select: projectSelect });
  if (!project) throw projectNotFound(field);
  await requireWork(db, { workspaceId: project.workspaceId, userId: input.userId, permission: input.permission, field, what: "project" });
  return project;
}

export async function createProject(db: DbClient, input: CreateProjectInput & { userId: string }) {
  await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    permission: "editWork",
    field: "workspaceId",
    what: "workspace",
  });
  return db.project.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      brief: input.brief,
      deadline: input.deadline ?? null,
      tags: input.tags,
      createdById: input.userId,
    },
    select: projectSelect,
  });
}

export async function listProjects(db: DbClient, input: { userId: string; workspaceId: string; includeArchived: boolean }) {
  await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    permission: "view",
    field: "workspaceId",
    what: "workspace",
  });
  const projects = await db.project.findMany({
    where: { workspaceId: input.workspaceId, ...(input.includeArchived ? {} : { status: { not: "archived" } }) },
    select: projectSelect,
    orderBy: { createdAt: "desc" },
  });
  const counts = await db.task.groupBy({
    by: ["projectId", "status"],
    where: { projectId: { in: projects.map((p) => p.id) } },
    _count: { _all: true },
  });
  return projects.map((p) => ({
    ...p,
    taskCounts: Object.fromEntries(counts.filter((c) => c.projectId === p.id).map((c) => [c.status, c._count._all])),
  }));
}

export async function getProject(db: DbClient, input: { userId: string; projectId: string }) {
  return projectFor(db, { userId: input.userId, projectId: input.projectId, permission: "view" });
}

/**
 * A new deadline re-derives the priority of the project's open tasks that nobody set by hand (and
 * that no SLA at risk raised).
 * Archiving goes through archiveProject.
 */
export async function updateProject(db: DbClient, input: UpdateProjectInput & { userId: string; now: Date }) {
  const project = await projectFor(db, { userId: input.userId, projectId: input.id, permission: "editWork" });
  if (project.status === "archived" && input.status !== "active" && input.status !== "paused") {
    throw new AppError("CONFLICT", "the project is archived: set its status to active or paused to change it", { field: "status" });
  }
  const data: Prisma.ProjectUpdateInput = {};
  if (input.name !== undefined) data.name = input.name;
  if (input.brief !== undefined) data.brief = input.brief;
  if (input.tags !== undefined) data.tags = input.tags;
  if (input.deadline !== undefined) data.deadline = input.deadline;
  // Clocks opened from now on use it; open ones keep the thresholds they started with.
  if (input.slaPolicy !== undefined) data.slaPolicy = input.slaPolicy;
  if (input.status !== undefined) {
    data.status = input.status;
    data.archivedAt = input.status === "archived" ? input.now : null;
  }
  const updated = await db.project.update({ where: { id: project.id }, data, select: projectSelect });
  const reprioritized: { id: string; priority: number }[] = [];
  if (input.deadline !== undefined) {
    const open = await db.task.findMany({
      where: {
        projectId: project.id,
        priorityOverride: false,
        status: { in: ["backlog", "ready"] },
        // A deliverable's SLA at risk or breached raised the task (server/domain/deliverables/sla.ts): it stays up.
        NOT: { deliverable: { slas: { some: { state: { in: ["at_risk", "breached"] } } } } },
      },
      select: { id: true, type: true, priority: true },
    });
    for (const t of open) {
      const priority = derivePriority({ type: t.type, deadline: updated.deadline, now: input.now });
      if (priority === t.priority) continue;
      await db.task.update({ where: { id: t.id }, data: { priority }, select: { id: true } });
      reprioritized.push({ id: t.id, priority });
    }
  }
  return { project: updated, reprioritized };
}

/** Archived: hidden from lists, and its tasks are no longer dispatched (the dispatcher skips inactive projects). */
export async function archiveProject(db: DbClient, input: { userId: string; projectId: string; now: Date }) {
  const project = await projectFor(db, { userId: input.userId, projectId: input.projectId, permission: "editWork" });
  return db.project.update({ where: { id: project.id }, data: { status: "archived", archivedAt: input.now }, select: projectSelect });
}
