// The billing commands: Stripe calls on a user's behalf, and the webhook — verified over the raw
// body, processed once by the domain, then its live effect (the new balance to the user's sockets).
import type { PaidPlanId } from "@shared/billing";
import { config } from "../config";
import { db } from "../lib/db";
import { AppError } from "../lib/errors";
import { billingSettings, notConfigured, stripeClient } from "../billing/stripe-client";
import { createTopupCheckout } from "../domain/billing/topups";
import { openBillingPortal, startSubscriptionCheckout } from "../domain/billing/subscriptions";
import { processStripeEvent, type ProcessedEvent } from "../domain/billing/events";
import { live } from "../realtime/emit";

/** Stripe's signatures are valid for this long (the SDK's default, stated): an older delivery is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

async function userEmail(userId: string): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  return user.email;
}

export async function startTopup(args: { userId: string; packId: string }) {
  const stripe = stripeClient();
  return createTopupCheckout(stripe, billingSettings(), { ...args, email: await userEmail(args.userId) });
}

export async function subscribeWorkspace(args: { userId: string; workspaceId: string; plan: PaidPlanId }) {
  const stripe = stripeClient();
  return startSubscriptionCheckout(db, stripe, billingSettings(), { ...args, email: await userEmail(args.userId) });
}

export async function openPortal(args: { userId: string; workspaceId: string }) {
  return openBillingPortal(db, stripeClient(), billingSettings(), args);
}

/**
 * POST /api/webhooks/stripe. `payload` is the body exactly as received: the signature covers its
 * bytes, so it is never parsed and re-serialized before `constructEvent` checks it.
 */
export async function receiveStripeWebhook(payload: Buffer, signature: string | undefined): Promise<ProcessedEvent> {
  const secret = config.STRIPE_WEBHOOK_SECRET;
  if (!config.STRIPE_SECRET_KEY || !secret) throw notConfigured();
  if (!signature) throw new AppError("BAD_REQUEST", "the Stripe-Signature header is missing", { field: "stripe-signature" });
  let event;
  try {
    event = stripeClient().webhooks.constructEvent(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
  } catch (e) {
    throw new AppError("BAD_REQUEST", `the Stripe signature does not verify: ${(e as Error).message}`, { field: "stripe-signature" });
  }
  const outcome = await processStripeEvent(db, event, billingSettings());
  for (const change of outcome.balances ?? [])
    live.user(change.userId, "balance:update", { balance: change.balance, reason: change.reason });
  return outcome;
}
