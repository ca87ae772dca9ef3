// Workspace plans as Stripe subscriptions on the workspace's Stripe customer. Owners and admins
// subscribe through Checkout (subscription mode) and manage the plan in Stripe's customer portal;
// Stripe's subscription and invoice webhooks keep the workspace's plan, status and period in step
// (an event older than the last one applied changes nothing), and invoices are mirrored.
import type Stripe from "stripe";
import { AppError } from "../../lib/errors";
import type { Db, DbClient, Prisma } from "../../lib/db";
import { billingRefusal, can } from "@shared/workspace-rules";
import { billingPath, effectivePlanId, PAID_PLAN_IDS, PLAN_IDS, statusKeepsPlan, type PaidPlanId, type PlanId } from "@shared/billing";
import { membershipOf } from "../workspaces/access";
import type { BillingSettings } from "./settings";
import type { EventOutcome } from "./topups";
import { callStripe, idOf } from "./stripe-calls";

/**
 * The caller's membership, with a workspace outside theirs NOT_FOUND on the `workspaceId` field —
 * and for its clients too, who see nothing of its plan or usage.
 */
export async function billingMembership(db: DbClient, workspaceId: string, userId: string) {
  const membership = await membershipOf(db, workspaceId, userId).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND") throw new AppError("NOT_FOUND", e.message, { field: "workspaceId" });
    throw e;
  });
  if (!can(membership.role, "view")) throw new AppError("NOT_FOUND", "no workspace with that id among yours", { field: "workspaceId" });
  return membership;
}

async function manageableWorkspace(db: DbClient, userId: string, workspaceId: string) {
  const membership = await billingMembership(db, workspaceId, userId);
  const refusal = billingRefusal(membership.role);
  if (refusal) throw new AppError(refusal.code, refusal.message, { field: "workspaceId" });
  return membership.workspace;
}

/** Records the workspace's Stripe customer; the first one recorded stays. */
async function recordCustomer(db: DbClient, workspaceId: string, customerId: string): Promise<void> {
  await db.$executeRaw`
    INSERT INTO workspace_billing ("workspaceId", "stripeCustomerId", "updatedAt") VALUES (${workspaceId}, ${customerId}, now())
    ON CONFLICT ("workspaceId") DO UPDATE SET "stripeCustomerId" = coalesce(workspace_billing."stripeCustomerId", EXCLUDED."stripeCustomerId")`;
}

/** The workspace's Stripe customer, made on first use (one per workspace, whoever asks first). */
async function ensureCustomer(db: Db, stripe: Stripe, workspace: { id: string; name: string }, email: string): Promise<string> {
  const known = await db.workspaceBilling.findUnique({ where: { workspaceId: workspace.id }, select: { stripeCustomerId: true } });
  if (known?.stripeCustomerId) return known.stripeCustomerId;
  // Stripe answers a repeat of the idempotency key with the same customer, so two concurrent
  // first subscribes share one; the row keeps the first id written.
  const customer = await callStripe(() =>
    stripe.customers.create(
      { name: workspace.name, email, metadata: { paddockWorkspaceId: workspace.id } },
      { idempotencyKey: `paddock-workspace-customer-${workspace.id}` },
    ),
  );
  await recordCustomer(db, workspace.id, customer.id);
  const row = await db.workspaceBilling.findUniqueOrThrow({ where: { workspaceId: workspace.id }, select: { stripeCustomerId: true } });
  return row.stripeCustomerId!;
}

/** Checkout in subscription mode for one of the paid plans; the plan changes when Stripe's webhook says so. */
export async function startSubscriptionCheckout(
  db: Db,
  stripe: Stripe,
  settings: BillingSettings,
  args: { userId: string; email: string; workspaceId: string; plan: PaidPlanId },
): Promise<{ sessionId: string; url: string }> {
  const workspace = await manageableWorkspace(db, args.userId, args.workspaceId);
  const current = await db.workspaceBilling.findUnique({
    where: { workspaceId: workspace.id },
    select: { plan: true, subscriptionStatus: true },
  });
  const currentPlan = effectivePlanId(current?.plan, current?.subscriptionStatus);
  if (currentPlan !== "free") {
    throw new AppError(
      "CONFLICT",
      `the workspace already has the ${settings.plans[currentPlan].name} plan: change or cancel it in the billing portal (Manage subscription)`,
      { field: "plan" },
    );
  }
  const plan = settings.plans[args.plan];
  const customer = await ensureCustomer(db, stripe, workspace, args.email);
  const metadata = { paddockKind: "subscription", paddockWorkspaceId: workspace.id, paddockPlan: plan.id, paddockUserId: args.userId };
  const back = `${settings.publicUrl}${billingPath(workspace.id)}`;
  const session = await callStripe(() =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: workspace.id,
      line_items: [
        plan.stripePriceId
          ? { price: plan.stripePriceId, quantity: 1 }
          : {
              quantity: 1,
              price_data: {
                currency: settings.currency,
                unit_amount: plan.priceCents,
                recurring: { interval: "month" },
                product_data: { name: `Paddock ${plan.name}`, metadata: { paddockPlan: plan.id } },
              },
            },
      ],
      metadata,
      subscription_data: { metadata: { paddockWorkspaceId: workspace.id, paddockPlan: plan.id } },
      success_url: `${back}?checkout=success`,
      cancel_url: `${back}?checkout=canceled`,
    }),
  );
  if (!session.url) throw new AppError("UNAVAILABLE", "Stripe made a Checkout Session without a URL; try again");
  return { sessionId: session.id, url: session.url };
}

/** A customer-portal session, where owners and admins change the plan, the card, or cancel. */
export async function openBillingPortal(
  db: Db,
  stripe: Stripe,
  settings: BillingSettings,
  args: { userId: string; workspaceId: string },
): Promise<{ url: string }> {
  const workspace = await manageableWorkspace(db, args.userId, args.workspaceId);
  const row = await db.workspaceBilling.findUnique({ where: { workspaceId: workspace.id }, select: { stripeCustomerId: true } });
  if (!row?.stripeCustomerId) {
    throw new AppError("CONFLICT", "the workspace has no Stripe customer yet: subscribe to a plan first", { field: "workspaceId" });
  }
  const customer = row.stripeCustomerId;
  const session = await callStripe(() =>
    stripe.billingPortal.sessions.create({ customer, return_url: `${settings.publicUrl}${billingPath(workspace.id)}` }),
  );
  return { url: session.url };
}

/** The workspace a Stripe customer belongs to: by the customer id Paddock stored, else the metadata Paddock set. */
async function workspaceForCustomer(
  tx: Prisma.TransactionClient,
  customerId: string | null,
  metadataWorkspaceId: string | undefined,
): Promise<string | null> {
  if (customerId) {
    const row = await tx.workspaceBilling.findUnique({ where: { stripeCustomerId: customerId }, select: { workspaceId: true } });
    if (row) return row.workspaceId;
  }
  if (!metadataWorkspaceId) return null;
  const ws = await tx.workspace.findUnique({ where: { id: metadataWorkspaceId }, select: { id: true } });
  return ws?.id ?? null;
}

/** The plan a subscription is for: its price's id (BILLING_PLANS stripePriceId), else the metadata Paddock set. */
function planOfSubscription(sub: Stripe.Subscription, settings: BillingSettings): PlanId | null {
  const item = sub.items.data[0];
  const priceId = item?.price.id;
  const byPrice = PAID_PLAN_IDS.find((id) => settings.plans[id].stripePriceId && settings.plans[id].stripePriceId === priceId);
  if (byPrice) return byPrice;
  const named = sub.metadata?.paddockPlan ?? item?.price.metadata?.paddockPlan;
  return named && (PLAN_IDS as readonly string[]).includes(named) ? (named as PlanId) : null;
}

/** `customer.subscription.created/updated/deleted`: the workspace's plan, status and period follow. */
export async function applySubscription(
  tx: Prisma.TransactionClient,
  settings: BillingSettings,
  sub: Stripe.Subscription,
  eventCreated: Date,
  deleted: boolean,
): Promise<EventOutcome> {
  const customerId = idOf(sub.customer);
  const workspaceId = await workspaceForCustomer(tx, customerId, sub.metadata?.paddockWorkspaceId);
  if (!workspaceId) return { result: "ignored", detail: `subscription ${sub.id}: no workspace has customer ${customerId}` };
  const plan = planOfSubscription(sub, settings);
  if (!plan) return { result: "rejected", detail: `subscription ${sub.id}: its price names no Paddock plan` };

  await tx.$executeRaw`
    INSERT INTO workspace_billing ("workspaceId", "stripeCustomerId", "updatedAt") VALUES (${workspaceId}, ${customerId}, now())
    ON CONFLICT ("workspaceId") DO NOTHING`;
  const [row] = await tx.$queryRaw<{ subscriptionId: string | null; subscriptionStatus: string | null; subscriptionAsOf: Date | null }[]>`
    SELECT "subscriptionId", "subscriptionStatus", "subscriptionAsOf" FROM workspace_billing WHERE "workspaceId" = ${workspaceId} FOR UPDATE`;
  if (row?.subscriptionAsOf && eventCreated < row.subscriptionAsOf) {
    return { result: "stale", detail: `subscription ${sub.id}: a newer event was applied already` };
  }
  const status = deleted ? "canceled" : sub.status;
  // An older subscription ending does not end the one the workspace has now.
  const another = row?.subscriptionId && row.subscriptionId !== sub.id && statusKeepsPlan(row.subscriptionStatus);
  if (another && !statusKeepsPlan(status)) {
    return { result: "ignored", detail: `subscription ${sub.id} is ${status}, the workspace's current one is ${row.subscriptionId}` };
  }
  const periodEnd = sub.items.data[0]?.current_period_end;
  await tx.workspaceBilling.update({
    where: { workspaceId },
    data: {
      stripeCustomerId: customerId,
      plan: deleted ? "free" : plan,
      subscriptionId: sub.id,
      subscriptionStatus: status,
      currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      subscriptionAsOf: eventCreated,
    },
  });
  return { result: "plan", detail: `workspace ${workspaceId}: ${deleted ? "free (subscription ended)" : `${plan}, ${status}`}` };
}

/** `invoice.paid` / `invoice.payment_failed`: the invoice is mirrored, and the subscription's status follows. */
export async function applyInvoice(
  tx: Prisma.TransactionClient,
  invoice: Stripe.Invoice,
  paid: boolean,
  eventCreated: Date,
): Promise<EventOutcome> {
  const customerId = idOf(invoice.customer);
  const workspaceId = await workspaceForCustomer(tx, customerId, invoice.parent?.subscription_details?.metadata?.paddockWorkspaceId);
  if (!workspaceId || !invoice.id) return { result: "ignored", detail: `invoice ${invoice.id}: no workspace has customer ${customerId}` };
  const fields = {
    workspaceId,
    number: invoice.number,
    status: invoice.status ?? (paid ? "paid" : "open"),
    amountDue: invoice.amount_due,
    amountPaid: invoice.amount_paid,
    currency: invoice.currency,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    periodStart: new Date(invoice.period_start * 1000),
    periodEnd: new Date(invoice.period_end * 1000),
    issuedAt: new Date(invoice.created * 1000),
  };
  await tx.stripeInvoice.upsert({ where: { id: invoice.id }, create: { id: invoice.id, ...fields }, update: fields });

  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
  if (subscriptionId) {
    // A payment decides the status only of the subscription the workspace has now, and only if no newer event did.
    const status = paid ? "active" : "past_due";
    const moved = await tx.workspaceBilling.updateMany({
      where: {
        workspaceId,
        subscriptionId,
        subscriptionStatus: paid ? { in: ["past_due", "incomplete", "unpaid"] } : { in: ["active", "trialing"] },
        OR: [{ subscriptionAsOf: null }, { subscriptionAsOf: { lte: eventCreated } }],
      },
      data: { subscriptionStatus: status, subscriptionAsOf: eventCreated },
    });
    if (moved.count > 0)
      return { result: "invoice", detail: `invoice ${invoice.id} ${fields.status}: subscription ${subscriptionId} ${status}` };
  }
  return { result: "invoice", detail: `invoice ${invoice.id} ${fields.status}` };
}

/** A subscription Checkout completed: the workspace's customer is recorded (the plan comes with the subscription's own event). */
export async function linkSubscriptionCheckout(tx: Prisma.TransactionClient, session: Stripe.Checkout.Session): Promise<EventOutcome> {
  const workspaceId = session.metadata?.paddockWorkspaceId;
  const customerId = idOf(session.customer);
  if (!workspaceId || !customerId) return { result: "ignored", detail: `session ${session.id} is not a Paddock subscription` };
  const ws = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
  if (!ws) return { result: "ignored", detail: `session ${session.id}: workspace ${workspaceId} no longer exists` };
  await recordCustomer(tx, workspaceId, customerId);
  return { result: "subscription_checkout", detail: `workspace ${workspaceId} checked out with customer ${customerId}` };
}
