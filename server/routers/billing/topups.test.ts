// Credit top-ups end to end through the real Stripe SDK: billing.createCheckout against the local
// Stripe stand-in (the request Stripe would receive), then POST /api/webhooks/stripe with payloads
// signed by the SDK's own generateTestHeaderString — credited once however often and however
// concurrently an event arrives, refused (400, nothing written) when the signature is wrong, and
// taken back by a refund or dispute, the ledger balancing throughout.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import Stripe from "stripe";
import request from "supertest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect } from "socket.io-client";
import { startStripeStandin } from "../../billing/stripe-standin";

const standin = await startStripeStandin();
process.env.STRIPE_SECRET_KEY = standin.apiKey;
process.env.STRIPE_WEBHOOK_SECRET = standin.webhookSecret;
process.env.STRIPE_API_BASE = standin.url;
process.env.PUBLIC_URL = "https://paddock.example";

const { createApp } = await import("../../app");
const { db } = await import("../../lib/db");
const { makeUser, rejection } = await import("../../test/helpers");
const { balanceOf, checkLedger, MINT_STRIPE, userAccountKey } = await import("../../domain/ledger");
const { ensureBuiltinAgents } = await import("../../domain/agents/builtin");
const { config } = await import("../../config");
const { startRealtime } = await import("../../realtime/server");
const { createApiToken } = await import("../../domain/users");

afterAll(() => standin.close());

const app = createApp();
const sdk = new Stripe("sk_test_unused");

async function post(event: Stripe.Event, opts: { timestamp?: number; secret?: string; tamper?: (payload: string) => string } = {}) {
  const { payload, signature } = standin.sign(event, opts);
  return request(app)
    .post("/api/webhooks/stripe")
    .set("content-type", "application/json")
    .set("stripe-signature", signature)
    .send(opts.tamper ? opts.tamper(payload) : payload);
}

async function writes() {
  const [events, transfers, topups] = await Promise.all([db.stripeEvent.count(), db.ledgerTransfer.count(), db.stripeTopup.count()]);
  return { events, transfers, topups };
}

/** A user's top-up of the starter pack, paid on the stand-in: the completed session's event, not yet delivered. */
async function paidTopup(packId = "starter") {
  const user = await makeUser({ grant: 1_000 });
  const { url, sessionId } = await user.caller.billing.createCheckout({ packId });
  expect(url).toBe(`${standin.url}/checkout/${sessionId}`);
  const [completed] = await standin.completeCheckout(sessionId);
  const session = completed!.data.object as Stripe.Checkout.Session;
  return { user, sessionId, completed: completed!, paymentIntent: session.payment_intent as string };
}

beforeEach(() => {
  standin.state.requests.length = 0;
});

describe("billing.packs and billing.createCheckout", () => {
  it("lists the configured packs", async () => {
    const user = await makeUser();
    const { packs, currency } = await user.caller.billing.packs();
    expect(currency).toBe("usd");
    expect(packs.map((p) => p.id)).toEqual(["starter", "team", "studio"]);
    expect(await user.caller.billing.status()).toMatchObject({ configured: true, overdrawn: false, balance: 100_000 });
  });

  it("asks Stripe for a payment-mode Checkout Session with the pack's amount, the user and pack in metadata, and URLs back to the account page", async () => {
    const user = await makeUser();
    const { sessionId } = await user.caller.billing.createCheckout({ packId: "team" });
    const sent = standin.state.requests.find((r) => r.method === "POST" && r.path === "/checkout/sessions");
    expect(sent).toBeDefined();
    expect(sent!.body).toMatchObject({
      mode: "payment",
      customer_email: user.email,
      client_reference_id: user.id,
      line_items: [{ quantity: "1", price_data: { currency: "usd", unit_amount: "5000" } }],
      metadata: { paddockKind: "topup", paddockUserId: user.id, paddockPackId: "team", paddockCredits: "5500" },
      payment_intent_data: { metadata: { paddockUserId: user.id, paddockPackId: "team", paddockCredits: "5500" } },
      success_url: "https://paddock.example/account?topup=success",
      cancel_url: "https://paddock.example/account?topup=canceled",
    });
    // The SDK pins its API version on every request.
    expect(sent!.stripeVersion).toBe(Stripe.API_VERSION);
    expect(standin.state.sessions.get(sessionId)?.amount_total).toBe(5_000);
  });

  it("refuses an unknown pack naming the field, asking Stripe nothing", async () => {
    const user = await makeUser();
    const refused = await rejection(user.caller.billing.createCheckout({ packId: "gold" }));
    expect(refused).toMatchObject({ code: "BAD_REQUEST", field: "packId" });
    expect(refused.message).toMatch(/packId must be one of starter, team, studio/);
    expect(standin.state.requests).toEqual([]);
  });
});

describe("POST /api/webhooks/stripe", () => {
  it("credits a paid top-up once from mint:stripe with a topup transfer, and stores the event", async () => {
    const { user, sessionId, completed } = await paidTopup();
    const mintBefore = await balanceOf(db, MINT_STRIPE);
    const res = await post(completed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, id: completed.id, duplicate: false, result: "credited" });
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(2_000);
    expect(await balanceOf(db, MINT_STRIPE)).toBe(mintBefore - 1_000);
    const transfer = await db.ledgerTransfer.findUniqueOrThrow({ where: { idempotencyKey: `stripe:checkout:${sessionId}` } });
    expect(transfer.kind).toBe("topup");
    const stored = await db.stripeEvent.findUniqueOrThrow({ where: { id: completed.id } });
    expect(stored).toMatchObject({ type: "checkout.session.completed", result: "credited" });
    expect(stored.processedAt).toBeInstanceOf(Date);

    // A redelivery is acknowledged and moves nothing.
    const again = await post(completed);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, result: "credited" });
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(2_000);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("credits once when the same event arrives 20 times at once", async () => {
    const { user, completed } = await paidTopup("studio");
    const before = await writes();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(completed)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => !r.body.duplicate)).toHaveLength(1);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000 + 24_000);
    expect(await writes()).toEqual({ events: before.events + 1, transfers: before.transfers + 1, topups: before.topups + 1 });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("credits a session once even when two different events announce it (completed, then async success), concurrently", async () => {
    const { user, completed } = await paidTopup();
    const async = standin.event("checkout.session.async_payment_succeeded", completed.data.object as unknown as Record<string, unknown>);
    const results = await Promise.all([post(completed), post(async), post(completed), post(async)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(2_000);
    const stored = await db.stripeEvent.findMany({ where: { id: { in: [completed.id, async.id] } }, select: { result: true } });
    expect(stored.map((e) => e.result).sort()).toEqual(["credited", "duplicate"]);
  });

  it("waits for an unpaid session's payment, and credits it when the async success arrives", async () => {
    const user = await makeUser({ grant: 0 });
    const { sessionId } = await user.caller.billing.createCheckout({ packId: "starter" });
    const [completed] = await standin.completeCheckout(sessionId);
    const unpaid = standin.event("checkout.session.completed", {
      ...(completed!.data.object as unknown as Record<string, unknown>),
      payment_status: "unpaid",
    });
    expect((await post(unpaid)).body.result).toBe("awaiting_payment");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(0);
    const succeeded = standin.event(
      "checkout.session.async_payment_succeeded",
      completed!.data.object as unknown as Record<string, unknown>,
    );
    expect((await post(succeeded)).body.result).toBe("credited");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
  });

  describe("refuses with 400 and writes nothing", () => {
    it.each([
      ["a tampered body", { tamper: (p: string) => p.replace('"paddockCredits":"1000"', '"paddockCredits":"9000"') }],
      ["a wrong secret", { secret: "whsec_someone_else" }],
      ["a timestamp older than 300 s", { timestamp: Math.floor(Date.now() / 1000) - 301 }],
    ])("%s", async (_what, opts) => {
      const { user, completed } = await paidTopup();
      const before = await writes();
      const res = await post(completed, opts);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "BAD_REQUEST", field: "stripe-signature" });
      expect(res.body.error.message).toMatch(/Stripe signature does not verify/);
      expect(await writes()).toEqual(before);
      expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    });

    it("a missing signature header", async () => {
      const { completed } = await paidTopup();
      const before = await writes();
      const res = await request(app).post("/api/webhooks/stripe").set("content-type", "application/json").send(JSON.stringify(completed));
      expect(res.status).toBe(400);
      expect(await writes()).toEqual(before);
    });
  });

  it("accepts a signature just inside the 300 s tolerance", async () => {
    const { user, completed } = await paidTopup();
    const res = await post(completed, { timestamp: Math.floor(Date.now() / 1000) - 290 });
    expect(res.status).toBe(200);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(2_000);
  });

  it("acknowledges and stores an unknown event type, changing nothing else", async () => {
    const before = await writes();
    const event = standin.event("customer.tax_id.created", { id: "txi_1", object: "tax_id" });
    const res = await post(event);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, result: "ignored" });
    expect(await writes()).toEqual({ ...before, events: before.events + 1 });
    const admin = await makeUser({ role: "admin" });
    const listed = await admin.caller.billing.events({ limit: 5 });
    expect(listed.items[0]).toMatchObject({ id: event.id, type: "customer.tax_id.created", result: "ignored" });
    const member = await makeUser();
    expect((await rejection(member.caller.billing.events({ limit: 5 }))).code).toBe("FORBIDDEN");
  });
});

describe("refunds and disputes take the money back", () => {
  it("a full refund after the top-up takes the credits back to mint:stripe and the books balance", async () => {
    const { user, completed, paymentIntent } = await paidTopup();
    await post(completed);
    const mintBefore = await balanceOf(db, MINT_STRIPE);
    const [refunded] = await standin.refund(paymentIntent);
    const res = await post(refunded!);
    expect(res.body.result).toBe("reversed");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    expect(await balanceOf(db, MINT_STRIPE)).toBe(mintBefore + 1_000);
    expect(await post(refunded!).then((r) => r.body.duplicate)).toBe(true);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("partial refunds follow Stripe's cumulative amount, each share once", async () => {
    const { user, completed, paymentIntent } = await paidTopup("team"); // 5,000 paid for 5,500 credits
    await post(completed);
    const [first] = await standin.refund(paymentIntent, 1_000);
    const [second] = await standin.refund(paymentIntent, 1_500);
    await Promise.all([post(second!), post(first!), post(second!)]);
    // 2,500 of 5,000 refunded: half of the 5,500 credits.
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000 + 5_500 - 2_750);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("a refund that arrives before the payment is applied when the payment lands, in one go", async () => {
    const { user, completed, paymentIntent } = await paidTopup();
    const [refunded] = await standin.refund(paymentIntent);
    expect((await post(refunded!)).body.result).toBe("recorded");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    const res = await post(completed);
    expect(res.body.result).toBe("credited");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    const topup = await db.stripeTopup.findUniqueOrThrow({ where: { paymentIntentId: paymentIntent } });
    expect(topup).toMatchObject({ credits: 1_000, reversedCredits: 1_000, refundedAmount: 1_000 });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("a dispute after the credits were spent leaves the account overdrawn, which blocks betting and launching until a top-up settles it", async () => {
    const { user, completed, paymentIntent } = await paidTopup("studio"); // 24,000 credits
    await post(completed);
    const { id: agentId } = (await ensureBuiltinAgents(db))[0]!;
    // Spend almost everything on a run.
    await user.caller.run.create({
      goal: "spend",
      metric: "points",
      targetValue: 10,
      agentId,
      durationMinutes: 60,
      credits: 24_500,
    });
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(500);

    const [disputed] = await standin.dispute(paymentIntent);
    expect((await post(disputed!)).body.result).toBe("reversed");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(500 - 24_000);
    expect(await user.caller.billing.status()).toMatchObject({ overdrawn: true, balance: -23_500 });
    // The books still balance: a negative balance only on a flagged account.
    expect(await checkLedger(db)).toEqual([]);

    const launch = await rejection(
      user.caller.run.create({
        goal: "again",
        metric: "points",
        targetValue: 10,
        agentId,
        durationMinutes: 60,
        credits: 100,
      }),
    );
    expect(launch.code).toBe("PRECONDITION_FAILED");
    expect(launch.message).toMatch(/refund or dispute.*add credits/);

    const runner = await makeUser();
    const { id: runId } = await runner.caller.run.create({
      goal: "bet on me",
      metric: "points",
      targetValue: 10,
      agentId,
      durationMinutes: 60,
      credits: 100,
    });
    const bet = await rejection(user.caller.betting.placeBet({ runId, side: "yes", amount: 100 }));
    expect(bet.code).toBe("PRECONDITION_FAILED");
    expect(bet.message).toMatch(/refund or dispute/);

    // A bigger top-up brings the balance back above zero: the flag clears with it.
    const { sessionId } = await user.caller.billing.createCheckout({ packId: "studio" });
    const [paid] = await standin.completeCheckout(sessionId);
    await post(paid!);
    await post(paid!);
    const { sessionId: third } = await user.caller.billing.createCheckout({ packId: "starter" });
    const [paid3] = await standin.completeCheckout(third);
    await post(paid3!);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(-23_500 + 24_000 + 1_000);
    expect(await user.caller.billing.status()).toMatchObject({ overdrawn: false });
    await user.caller.betting.placeBet({ runId, side: "yes", amount: 100 });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("a dispute won gives the credits back", async () => {
    const { user, completed, paymentIntent } = await paidTopup();
    await post(completed);
    const [disputed] = await standin.dispute(paymentIntent);
    await post(disputed!);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(1_000);
    const won = standin.event("charge.dispute.closed", { ...(disputed!.data.object as unknown as Record<string, unknown>), status: "won" });
    expect((await post(won)).body.result).toBe("reversed");
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(2_000);
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("live balance", () => {
  it("reaches the user's open sockets when the webhook lands", async () => {
    const http = createServer(app);
    const realtime = await startRealtime(db, http);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { user, completed } = await paidTopup();
    const { token } = await createApiToken(db, user.id, "live balance");
    const socket = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
      path: "/socket.io",
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { token },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      const update = new Promise((resolve) => socket.once("balance:update", resolve));
      expect((await post(completed)).status).toBe(200);
      expect(await update).toEqual({ balance: 2_000, reason: "credits bought" });
    } finally {
      socket.disconnect();
      await realtime.close();
    }
  });
});

describe("the SDK itself", () => {
  it("is the real stripe package, verifying with its own constructEvent", () => {
    const event = standin.event("ping", { id: "x" });
    const { payload, signature } = standin.sign(event);
    expect(sdk.webhooks.constructEvent(payload, signature, config.STRIPE_WEBHOOK_SECRET!, 300).id).toBe(event.id);
  });
});
