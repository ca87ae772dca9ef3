// sla.*: a workspace's deliverable SLA clocks (the at-risk panel, a deliverable's clocks). The
// workspace's members and viewers read; outsiders get NOT_FOUND. The watcher changes them
// (server/jobs/deliverables), never a caller.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { atRiskSlas, listSlas, slasForDeliverable } from "../../domain/deliverables/sla";
import { slaDeliverableInput, slaListInput, slaWorkspaceInput } from "@shared/sla";

export const slaRouter = createTRPCRouter({
  list: protectedProcedure.input(slaListInput).query(({ ctx, input }) => listSlas(db, { ...input, userId: ctx.user.id })),

  atRisk: protectedProcedure.input(slaWorkspaceInput).query(({ ctx, input }) => atRiskSlas(db, { ...input, userId: ctx.user.id })),

  forDeliverable: protectedProcedure
    .input(slaDeliverableInput)
    .query(({ ctx, input }) => slasForDeliverable(db, { ...input, userId: ctx.user.id })),
});
