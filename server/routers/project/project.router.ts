// project.*: a workspace's projects. Members create and change them; viewers read; outsiders get NOT_FOUND.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { archiveProject, createProject, getProject, listProjects } from "../../domain/projects";
import { updateProject } from "../../commands/projects";
import { createProjectInput, projectListInput, taskIdInput, updateProjectInput } from "@shared/work";

export const projectRouter = createTRPCRouter({
  create: protectedProcedure.input(createProjectInput).mutation(({ ctx, input }) => createProject(db, { ...input, userId: ctx.user.id })),

  list: protectedProcedure.input(projectListInput).query(({ ctx, input }) => listProjects(db, { ...input, userId: ctx.user.id })),

  get: protectedProcedure.input(taskIdInput).query(({ ctx, input }) => getProject(db, { userId: ctx.user.id, projectId: input.id })),

  update: protectedProcedure.input(updateProjectInput).mutation(({ ctx, input }) => updateProject({ ...input, userId: ctx.user.id })),

  archive: protectedProcedure
    .input(taskIdInput)
    .mutation(({ ctx, input }) => archiveProject(db, { userId: ctx.user.id, projectId: input.id, now: new Date() })),
});
