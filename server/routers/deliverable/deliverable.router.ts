// deliverable.*: the reviewed results of a workspace's tasks. Members and viewers read them (list,
// get, versions, the review queue, a project's activity); the workspace's owners and admins, and site
// operators among its members, decide (approve, deliver, reject, requestRevision, and the batches).
// Outsiders get NOT_FOUND. Clients use portal.* only.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { deliverableVersions, getDeliverable, listDeliverables, projectActivity, reviewQueue } from "../../domain/deliverables/queries";
import { approve, approveMany, deliver, deliverMany, reject, requestRevision } from "../../commands/deliverables";
import {
  deliverableDecisionInput,
  deliverableIdInput,
  deliverableIdsInput,
  deliverableListInput,
  deliverableQueueInput,
  projectActivityInput,
  rejectDeliverableInput,
  requestRevisionInput,
} from "@shared/deliverables";

const actorOf = (user: { id: string; role: string }) => ({ userId: user.id, siteRole: user.role });

export const deliverableRouter = createTRPCRouter({
  list: protectedProcedure
    .input(deliverableListInput)
    .query(({ ctx, input }) => listDeliverables(db, { ...input, actor: actorOf(ctx.user) })),

  get: protectedProcedure
    .input(deliverableIdInput)
    .query(({ ctx, input }) => getDeliverable(db, { actor: actorOf(ctx.user), id: input.id })),

  versions: protectedProcedure
    .input(deliverableIdInput)
    .query(({ ctx, input }) => deliverableVersions(db, { actor: actorOf(ctx.user), id: input.id })),

  /** The newest version of each deliverable awaiting a decision, the most urgent SLA first. */
  queue: protectedProcedure.input(deliverableQueueInput).query(({ ctx, input }) => reviewQueue(db, { ...input, actor: actorOf(ctx.user) })),

  /** The project's activity feed, newest first. */
  activity: protectedProcedure
    .input(projectActivityInput)
    .query(({ ctx, input }) => projectActivity(db, { ...input, actor: actorOf(ctx.user) })),

  approve: protectedProcedure.input(deliverableDecisionInput).mutation(({ ctx, input }) => approve({ ...input, actor: actorOf(ctx.user) })),

  /** Delivers the newest version, approving it first if it still waits in review. */
  deliver: protectedProcedure.input(deliverableDecisionInput).mutation(({ ctx, input }) => deliver({ ...input, actor: actorOf(ctx.user) })),

  /** A quality failure: the task goes to another agent and the failure counts against the first. */
  reject: protectedProcedure.input(rejectDeliverableInput).mutation(({ ctx, input }) => reject({ ...input, actor: actorOf(ctx.user) })),

  /** A revision task for the same agent; its result arrives as the next version. */
  requestRevision: protectedProcedure
    .input(requestRevisionInput)
    .mutation(({ ctx, input }) => requestRevision({ ...input, actor: actorOf(ctx.user) })),

  approveMany: protectedProcedure
    .input(deliverableIdsInput)
    .mutation(({ ctx, input }) => approveMany({ ids: input.ids, actor: actorOf(ctx.user) })),

  deliverMany: protectedProcedure
    .input(deliverableIdsInput)
    .mutation(({ ctx, input }) => deliverMany({ ids: input.ids, actor: actorOf(ctx.user) })),
});
