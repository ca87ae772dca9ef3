// Workspace plans through the real Stripe SDK and the local stand-in: billing.subscribe asks for a
// subscription Checkout (the request asserted), Stripe's subscription and invoice webhooks set the
// plan, status, period and invoices, and the plan's limits are enforced where the work is created:
// the (N+1)th live run is refused with a message naming the limit and where to upgrade, and an
// upgrade through the webhook lifts it.
import { afterAll, describe, expect, it } from "vitest";
import type Stripe from "stripe";
import request from "supertest";
import { startStripeStandin } from "../../billing/stripe-standin";

const standin = await startStripeStandin();
process.env.STRIPE_SECRET_KEY = standin.apiKey;
process.env.STRIPE_WEBHOOK_SECRET = standin.webhookSecret;
process.env.STRIPE_API_BASE = standin.url;
process.env.PUBLIC_URL = "https://paddock.example";
process.env.BILLING_PLANS = JSON.stringify({ free: { liveRuns: 2 }, sprint: { liveRuns: 3, deliverablesPerMonth: 4 } });

const { createApp } = await import("../../app");
const { db } = await import("../../lib/db");
const { makeUser, rejection } = await import("../../test/helpers");
const { ensureBuiltinAgents } = await import("../../domain/agents/builtin");
const { checkLedger } = await import("../../domain/ledger");
const { enforceDeliverableLimit, enforceRevisionLimit, planLimits } = await import("../../domain/billing/plans");
const { billingSettings } = await import("../../billing/stripe-client");
const { AppError } = await import("../../lib/errors");

afterAll(() => standin.close());

const app = createApp();
const { id: agentId } = (await ensureBuiltinAgents(db))[0]!;

async function deliver(events: Stripe.Event[]) {
  for (const event of events) {
    const { payload, signature } = standin.sign(event);
    const res = await request(app)
      .post("/api/webhooks/stripe")
      .set("content-type", "application/json")
      .set("stripe-signature", signature)
      .send(payload);
    expect(res.status).toBe(200);
  }
}

async function teamWorkspace() {
  const owner = await makeUser({ grant: 100_000 });
  const ws = await owner.caller.workspace.create({ name: "Plan team" });
  return { owner, workspaceId: ws.id };
}

const launch = (caller: Awaited<ReturnType<typeof makeUser>>["caller"], workspaceId: string) =>
  caller.run.create({
    goal: "work",
    metric: "points",
    targetValue: 10,
    agentId,
    durationMinutes: 60,
    credits: 100,
    workspaceId,
  });

/** Subscribes the workspace on the stand-in and delivers what Stripe would send. */
async function subscribe(caller: Awaited<ReturnType<typeof makeUser>>["caller"], workspaceId: string, plan: "sprint" | "pro" | "scale") {
  const { sessionId } = await caller.billing.subscribe({ workspaceId, plan });
  const events = await standin.completeCheckout(sessionId);
  await deliver(events);
  const sub = events.find((e) => e.type === "customer.subscription.created")!.data.object;
  return { sessionId, subscriptionId: sub.id, events };
}

describe("plan limits on live runs", () => {
  it("refuses the (N+1)th live run of the free plan naming the limit and the upgrade link, and an upgrade lifts it", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    await launch(owner.caller, workspaceId);
    await launch(owner.caller, workspaceId);
    const before = { runs: await db.run.count({ where: { workspaceId } }), transfers: await db.ledgerTransfer.count() };

    const refused = await rejection(launch(owner.caller, workspaceId));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe(
      `the workspace's Free plan allows 2 live runs at once (queued, booting or running); it has 2 — upgrade the plan at /workspaces/${workspaceId}/billing`,
    );
    expect({ runs: await db.run.count({ where: { workspaceId } }), transfers: await db.ledgerTransfer.count() }).toEqual(before);

    await subscribe(owner.caller, workspaceId, "sprint");
    const view = await owner.caller.billing.workspace({ workspaceId });
    expect(view).toMatchObject({
      plan: { id: "sprint", liveRuns: 3 },
      status: "active",
      usage: { liveRuns: 2 },
      hasCustomer: true,
      canManage: true,
    });
    expect(view.currentPeriodEnd!.getTime()).toBeGreaterThan(Date.now());
    expect(view.invoices).toHaveLength(1);
    expect(view.invoices[0]).toMatchObject({ status: "paid", amountPaid: 2_900, currency: "usd" });

    await launch(owner.caller, workspaceId);
    expect((await rejection(launch(owner.caller, workspaceId))).message).toMatch(/Sprint plan allows 3 live runs/);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("holds under concurrent launches: exactly the plan's number get through", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const member = await makeUser();
    await owner.caller.workspace.invite({ id: workspaceId, email: member.email, role: "member" });
    const results = await Promise.allSettled(
      [0, 1, 2, 3].flatMap(() => [launch(owner.caller, workspaceId), launch(member.caller, workspaceId)]),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(await db.run.count({ where: { workspaceId } })).toBe(2);
  });

  it("counts each workspace by itself", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    await launch(owner.caller, workspaceId);
    await launch(owner.caller, workspaceId);
    // The personal workspace has its own free allowance.
    await owner.caller.run.create({
      goal: "mine",
      metric: "points",
      targetValue: 10,
      agentId,
      durationMinutes: 60,
      credits: 100,
    });
  });
});

describe("billing.subscribe and billing.portal", () => {
  it("asks Stripe for a subscription Checkout on the workspace's customer, with the plan's price and metadata", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    standin.state.requests.length = 0;
    const { url, sessionId } = await owner.caller.billing.subscribe({ workspaceId, plan: "pro" });
    expect(url).toBe(`${standin.url}/checkout/${sessionId}`);
    const [customer, checkout] = standin.state.requests;
    expect(customer).toMatchObject({
      method: "POST",
      path: "/customers",
      body: { name: "Plan team", email: owner.email, metadata: { paddockWorkspaceId: workspaceId } },
    });
    expect(customer!.idempotencyKey).toBe(`paddock-workspace-customer-${workspaceId}`);
    const billing = await db.workspaceBilling.findUniqueOrThrow({ where: { workspaceId } });
    expect(checkout).toMatchObject({
      method: "POST",
      path: "/checkout/sessions",
      body: {
        mode: "subscription",
        customer: billing.stripeCustomerId,
        client_reference_id: workspaceId,
        line_items: [
          {
            quantity: "1",
            price_data: { currency: "usd", unit_amount: "9900", recurring: { interval: "month" }, product_data: { name: "Paddock Pro" } },
          },
        ],
        metadata: { paddockKind: "subscription", paddockWorkspaceId: workspaceId, paddockPlan: "pro", paddockUserId: owner.id },
        subscription_data: { metadata: { paddockWorkspaceId: workspaceId, paddockPlan: "pro" } },
        success_url: `https://paddock.example/workspaces/${workspaceId}/billing?checkout=success`,
        cancel_url: `https://paddock.example/workspaces/${workspaceId}/billing?checkout=canceled`,
      },
    });

    // A second subscribe reuses the customer.
    await owner.caller.billing.subscribe({ workspaceId, plan: "sprint" });
    expect(standin.state.requests.filter((r) => r.path === "/customers")).toHaveLength(1);
  });

  it("refuses a second subscription, and opens the portal on the workspace's customer", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    expect((await rejection(owner.caller.billing.portal({ workspaceId }))).message).toMatch(/no Stripe customer yet/);
    await subscribe(owner.caller, workspaceId, "sprint");
    const again = await rejection(owner.caller.billing.subscribe({ workspaceId, plan: "pro" }));
    expect(again).toMatchObject({ code: "CONFLICT", field: "plan" });
    expect(again.message).toMatch(/already has the Sprint plan/);

    standin.state.requests.length = 0;
    const { url } = await owner.caller.billing.portal({ workspaceId });
    expect(url).toMatch(new RegExp(`^${standin.url}/portal/`));
    const billing = await db.workspaceBilling.findUniqueOrThrow({ where: { workspaceId } });
    expect(standin.state.requests[0]).toMatchObject({
      path: "/billing_portal/sessions",
      body: { customer: billing.stripeCustomerId, return_url: `https://paddock.example/workspaces/${workspaceId}/billing` },
    });
  });

  it("lets only owners and admins subscribe and manage; members see the plan without invoices; outsiders are told it does not exist", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const [admin, member, outsider] = [await makeUser(), await makeUser(), await makeUser()];
    await owner.caller.workspace.invite({ id: workspaceId, email: admin.email, role: "admin" });
    await owner.caller.workspace.invite({ id: workspaceId, email: member.email, role: "member" });
    await admin.caller.billing.subscribe({ workspaceId, plan: "sprint" });
    const refused = await rejection(member.caller.billing.subscribe({ workspaceId, plan: "sprint" }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", field: "workspaceId" });
    expect(refused.message).toMatch(/only the workspace's owners and admins/);
    expect((await rejection(member.caller.billing.portal({ workspaceId }))).code).toBe("FORBIDDEN");
    expect(await member.caller.billing.workspace({ workspaceId })).toMatchObject({ canManage: false, invoices: [], plan: { id: "free" } });
    const outsiderCalls = [
      () => outsider.caller.billing.subscribe({ workspaceId, plan: "sprint" }),
      () => outsider.caller.billing.portal({ workspaceId }),
      () => outsider.caller.billing.workspace({ workspaceId }),
    ];
    for (const call of outsiderCalls) expect(await rejection(call())).toMatchObject({ code: "NOT_FOUND", field: "workspaceId" });
  });
});

describe("subscription webhooks keep the plan in step", () => {
  it("follows plan changes, a failed renewal, cancellation, and ignores an older event arriving late", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const { subscriptionId, events } = await subscribe(owner.caller, workspaceId, "sprint");
    const settings = billingSettings();
    expect((await planLimits(db, workspaceId, settings)).plan.id).toBe("sprint");

    const [upgraded] = await standin.changePlan(subscriptionId, "scale");
    await deliver([upgraded!]);
    expect((await planLimits(db, workspaceId, settings)).plan.id).toBe("scale");

    // The older "created" (sprint) delivered again late: stale, the plan stays.
    const late = {
      ...events.find((e) => e.type === "customer.subscription.created")!,
      id: "evt_late_created",
      created: upgraded!.created - 60,
    };
    await deliver([late]);
    expect((await planLimits(db, workspaceId, settings)).plan.id).toBe("scale");
    expect(await db.stripeEvent.findUniqueOrThrow({ where: { id: "evt_late_created" } })).toMatchObject({ result: "stale" });

    // A failed renewal keeps the plan while Stripe retries (past_due); the next paid invoice makes it active again.
    const sub = standin.state.subscriptions.get(subscriptionId)!;
    const invoice = events.find((e) => e.type === "invoice.paid")!.data.object as unknown as Record<string, unknown>;
    await deliver([standin.event("invoice.payment_failed", { ...invoice, id: "in_failed", status: "open", amount_paid: 0 })]);
    expect(await planLimits(db, workspaceId, settings)).toMatchObject({ plan: { id: "scale" }, status: "past_due" });
    await deliver([standin.event("invoice.paid", { ...invoice, id: "in_failed", status: "paid" })]);
    expect(await planLimits(db, workspaceId, settings)).toMatchObject({ status: "active" });
    expect(await db.stripeInvoice.count({ where: { workspaceId } })).toBe(2);

    await deliver(await standin.cancelSubscription(String(sub.id)));
    expect(await planLimits(db, workspaceId, settings)).toMatchObject({ plan: { id: "free" }, status: "canceled" });
  });

  it("a lapsed subscription brings the free plan's limit back", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const { subscriptionId } = await subscribe(owner.caller, workspaceId, "sprint");
    await launch(owner.caller, workspaceId);
    await launch(owner.caller, workspaceId);
    await launch(owner.caller, workspaceId);
    await deliver(await standin.cancelSubscription(subscriptionId));
    expect((await rejection(launch(owner.caller, workspaceId))).message).toMatch(/Free plan allows 2 live runs at once .*; it has 3/);
  });
});

describe("a workspace with a paid plan", () => {
  it("cannot be deleted until its subscription is canceled", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const { subscriptionId } = await subscribe(owner.caller, workspaceId, "pro");
    const refused = await rejection(owner.caller.workspace.delete({ id: workspaceId }));
    expect(refused).toMatchObject({ code: "CONFLICT", field: "id" });
    expect(refused.message).toMatch(/paid plan: cancel it/);
    await deliver(await standin.cancelSubscription(subscriptionId));
    await owner.caller.workspace.delete({ id: workspaceId });
    expect(await db.workspaceBilling.count({ where: { workspaceId } })).toBe(0);
  });
});

describe("deliverable and revision limits (for the deliverables domain)", () => {
  it("refuses the (N+1)th deliverable of the month and revision, and an upgrade lifts it", async () => {
    const { owner, workspaceId } = await teamWorkspace();
    const settings = billingSettings();
    await enforceDeliverableLimit(db, { workspaceId, deliverablesThisMonth: 9 }, settings);
    const refused = await enforceDeliverableLimit(db, { workspaceId, deliverablesThisMonth: 10 }, settings).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: "PLAN_LIMIT",
      details: { limit: "deliverablesPerMonth", max: 10, upgradePath: `/workspaces/${workspaceId}/billing` },
    });
    expect((refused as Error).message).toMatch(/Free plan allows 10 deliverables a month/);
    await expect(enforceRevisionLimit(db, { workspaceId, revisions: 1 }, settings)).rejects.toMatchObject({ code: "PLAN_LIMIT" });

    await subscribe(owner.caller, workspaceId, "sprint");
    await expect(enforceDeliverableLimit(db, { workspaceId, deliverablesThisMonth: 3 }, settings)).resolves.toBeUndefined();
    await expect(enforceDeliverableLimit(db, { workspaceId, deliverablesThisMonth: 4 }, settings)).rejects.toMatchObject({
      code: "PLAN_LIMIT",
    });
    await expect(enforceRevisionLimit(db, { workspaceId, revisions: 2 }, settings)).resolves.toBeUndefined();
  });
});
