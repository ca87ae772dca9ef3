// billing.*: credit top-ups (packs, createCheckout), workspace plans (workspace, subscribe, portal),
// the caller's standing, and the stored Stripe events for admins. Without STRIPE_SECRET_KEY the
// procedures that need Stripe answer "billing is not configured"; `status` says so up front.
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { billingConfigured, billingSettings, notConfigured } from "../../billing/stripe-client";
import { accountStanding, listStripeEvents, workspaceBilling } from "../../domain/billing/queries";
import { openPortal, startTopup, subscribeWorkspace } from "../../commands/billing";
import { checkoutInput, eventsInput, subscribeInput, workspaceBillingInput } from "./billing.schema";

export const billingRouter = createTRPCRouter({
  /** Whether billing is on (the client shows "Add credits" only then), and whether the caller is overdrawn. */
  status: protectedProcedure.query(async ({ ctx }) => ({
    configured: billingConfigured(),
    currency: billingSettings().currency,
    ...(await accountStanding(db, ctx.user.id)),
  })),

  packs: protectedProcedure.query(() => {
    if (!billingConfigured()) throw notConfigured();
    const settings = billingSettings();
    return { currency: settings.currency, packs: settings.packs };
  }),

  createCheckout: protectedProcedure
    .input(checkoutInput)
    .mutation(({ ctx, input }) => startTopup({ userId: ctx.user.id, packId: input.packId })),

  workspace: protectedProcedure
    .input(workspaceBillingInput)
    .query(({ ctx, input }) => workspaceBilling(db, billingSettings(), { userId: ctx.user.id, workspaceId: input.workspaceId })),

  subscribe: protectedProcedure
    .input(subscribeInput)
    .mutation(({ ctx, input }) => subscribeWorkspace({ userId: ctx.user.id, workspaceId: input.workspaceId, plan: input.plan })),

  portal: protectedProcedure
    .input(workspaceBillingInput)
    .mutation(({ ctx, input }) => openPortal({ userId: ctx.user.id, workspaceId: input.workspaceId })),

  events: adminProcedure.input(eventsInput).query(({ input }) => listStripeEvents(db, input)),
});
