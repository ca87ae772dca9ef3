// project.*: a workspace's projects. Members create and change them; viewers read; outsiders (and
// clients) get NOT_FOUND. Owners and admins share a project with clients (share, unshare, shares).
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { archiveProject, createProject, getProject, listProjects } from "../../domain/projects";
import { updateProject } from "../../commands/projects";
import { createProjectInput, projectListInput, taskIdInput, updateProjectInput } from "@shared/work";
import { config } from "../../config";
import { listShares, shareProject, unshareProject } from "../../domain/portal/shares";
import { portalProjectInput, shareProjectInput, unshareProjectInput } from "@shared/portal";

export const projectRouter = createTRPCRouter({
  create: protectedProcedure.input(createProjectInput).mutation(({ ctx, input }) => createProject(db, { ...input, userId: ctx.user.id })),

  list: protectedProcedure.input(projectListInput).query(({ ctx, input }) => listProjects(db, { ...input, userId: ctx.user.id })),

  get: protectedProcedure.input(taskIdInput).query(({ ctx, input }) => getProject(db, { userId: ctx.user.id, projectId: input.id })),

  update: protectedProcedure.input(updateProjectInput).mutation(({ ctx, input }) => updateProject({ ...input, userId: ctx.user.id })),

  archive: protectedProcedure
    .input(taskIdInput)
    .mutation(({ ctx, input }) => archiveProject(db, { userId: ctx.user.id, projectId: input.id, now: new Date() })),

  share: protectedProcedure.input(shareProjectInput).mutation(({ ctx, input }) =>
    shareProject(db, {
      actorId: ctx.user.id,
      projectId: input.projectId,
      email: input.email,
      publicUrl: config.PUBLIC_URL,
      ttlDays: config.WORKSPACE_INVITE_TTL_DAYS,
    }),
  ),

  unshare: protectedProcedure
    .input(unshareProjectInput)
    .mutation(({ ctx, input }) => unshareProject(db, { actorId: ctx.user.id, projectId: input.projectId, userId: input.userId })),

  shares: protectedProcedure
    .input(portalProjectInput)
    .query(({ ctx, input }) => listShares(db, { actorId: ctx.user.id, projectId: input.projectId })),
});
