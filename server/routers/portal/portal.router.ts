// portal.*: what a client sees of the projects shared with them (server/domain/portal/portal.ts):
// the projects, their delivered work, the client-visible activity, and their ratings. Anything not
// shared with the caller is NOT_FOUND, whoever they are.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import {
  clientActivity,
  getDeliveredDeliverable,
  getSharedProject,
  listDeliveredDeliverables,
  listSharedProjects,
} from "../../domain/portal/portal";
import { rate } from "../../commands/portal";
import { portalIdInput, portalProjectInput, rateInput } from "@shared/portal";

export const portalRouter = createTRPCRouter({
  projects: protectedProcedure.query(({ ctx }) => listSharedProjects(db, { userId: ctx.user.id })),

  project: protectedProcedure
    .input(portalIdInput)
    .query(({ ctx, input }) => getSharedProject(db, { userId: ctx.user.id, projectId: input.id })),

  deliverables: protectedProcedure
    .input(portalProjectInput)
    .query(({ ctx, input }) => listDeliveredDeliverables(db, { userId: ctx.user.id, projectId: input.projectId })),

  deliverable: protectedProcedure
    .input(portalIdInput)
    .query(({ ctx, input }) => getDeliveredDeliverable(db, { userId: ctx.user.id, deliverableId: input.id })),

  rate: protectedProcedure.input(rateInput).mutation(({ ctx, input }) => rate({ ...input, userId: ctx.user.id })),

  activity: protectedProcedure
    .input(portalProjectInput)
    .query(({ ctx, input }) => clientActivity(db, { userId: ctx.user.id, projectId: input.projectId })),
});
