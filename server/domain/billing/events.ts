// One verified Stripe webhook event, processed once. The event's row is claimed first (its id is the
// primary key: a concurrent duplicate waits on it and then finds it taken), then the event is
// applied and its result written, all in one transaction: a failure leaves no row, so Stripe's retry
// does the work. Unknown event types are stored as ignored and acknowledged.
import type Stripe from "stripe";
import type { Db } from "../../lib/db";
import type { BillingSettings } from "./settings";
import { creditCheckoutSession, recordChargeRefund, recordDispute, type EventOutcome } from "./topups";
import { applyInvoice, applySubscription, linkSubscriptionCheckout } from "./subscriptions";

export interface ProcessedEvent extends EventOutcome {
  eventId: string;
  /** The event was processed before (a redelivery); nothing changed now. */
  duplicate: boolean;
}

export async function processStripeEvent(db: Db, event: Stripe.Event, settings: BillingSettings): Promise<ProcessedEvent> {
  return db.$transaction(
    async (tx) => {
      const createdAt = new Date(event.created * 1000);
      const claimed = await tx.stripeEvent.createMany({
        data: [{ id: event.id, type: event.type, createdAt, result: "processing" }],
        skipDuplicates: true,
      });
      if (claimed.count === 0) {
        const earlier = await tx.stripeEvent.findUnique({ where: { id: event.id }, select: { result: true } });
        return { eventId: event.id, duplicate: true, result: earlier?.result ?? "duplicate", detail: "delivered before" };
      }
      const outcome = await applyEvent(tx, event, settings, createdAt);
      await tx.stripeEvent.update({
        where: { id: event.id },
        data: { result: outcome.result, detail: outcome.detail ?? null, processedAt: new Date() },
      });
      return { eventId: event.id, duplicate: false, ...outcome };
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function applyEvent(tx: Tx, event: Stripe.Event, settings: BillingSettings, createdAt: Date): Promise<EventOutcome> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = event.data.object;
      return session.mode === "subscription" ? linkSubscriptionCheckout(tx, session) : creditCheckoutSession(tx, session);
    }
    case "checkout.session.async_payment_failed":
      return { result: "payment_failed", detail: `session ${event.data.object.id}: the payment failed, nothing credited` };
    case "charge.refunded":
      return recordChargeRefund(tx, event.data.object);
    case "charge.dispute.created":
      return recordDispute(tx, event.data.object, false);
    case "charge.dispute.closed":
      return recordDispute(tx, event.data.object, true);
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return applySubscription(tx, settings, event.data.object, createdAt, false);
    case "customer.subscription.deleted":
      return applySubscription(tx, settings, event.data.object, createdAt, true);
    case "invoice.paid":
      return applyInvoice(tx, event.data.object, true, createdAt);
    case "invoice.payment_failed":
      return applyInvoice(tx, event.data.object, false, createdAt);
    default:
      return { result: "ignored", detail: `Paddock does not use ${event.type} events` };
  }
}
