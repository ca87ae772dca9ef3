// A local stand-in for the parts of Stripe's HTTP API Paddock uses, for tests and offline demos:
// Stripe itself is unreachable from Paddock's machines. Point the real SDK at it with
// STRIPE_API_BASE (the SDK's host/port/protocol options). It keeps objects in memory, records every
// request as the SDK sent it (form-decoded), honours Idempotency-Key, and plays the customer's part:
// paying a Checkout Session or using the portal makes the events Stripe would send, signed with the
// SDK's own generateTestHeaderString, and (with `webhookUrl`) delivers them.
//
//   API (Bearer <apiKey>)                   customer pages (the URLs the API hands out)
//   POST /v1/customers                      GET  /checkout/:id          pay or cancel
//   POST /v1/checkout/sessions              POST /checkout/:id/pay      → events, redirect to success_url
//   GET  /v1/checkout/sessions/:id          POST /checkout/:id/cancel   → redirect to cancel_url
//   POST /v1/billing_portal/sessions        GET  /portal/:id            switch plan or cancel
//   GET  /v1/subscriptions/:id              POST /portal/:id/plan, /portal/:id/cancel
import express, { type Request, type Response } from "express";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

type Obj = Record<string, unknown>;

export interface StandinRequest {
  method: string;
  path: string;
  /** The form body as the SDK sent it, decoded (nested objects and arrays; every value a string). */
  body: Obj;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
}

export interface StripeStandinState {
  requests: StandinRequest[];
  customers: Map<string, Obj>;
  sessions: Map<string, Obj>;
  subscriptions: Map<string, Obj>;
  portalSessions: Map<string, Obj>;
  /** Every event made, in order (delivered or not). */
  events: Stripe.Event[];
  /** Webhook deliveries: the event id and the HTTP status Paddock answered. */
  deliveries: { eventId: string; status: number }[];
}

export interface StripeStandin {
  /** Pass as STRIPE_API_BASE. */
  url: string;
  apiKey: string;
  webhookSecret: string;
  state: StripeStandinState;
  /** The customer pays the session: returns the events Stripe would send (delivered when webhookUrl is set). */
  completeCheckout(sessionId: string): Promise<Stripe.Event[]>;
  /** Refunds `amount` (default: all that is left) of a top-up's payment: a charge.refunded event. */
  refund(paymentIntentId: string, amount?: number): Promise<Stripe.Event[]>;
  /** The customer opens a dispute over the payment: a charge.dispute.created event. */
  dispute(paymentIntentId: string): Promise<Stripe.Event[]>;
  /** The subscription moves to another Paddock plan (customer.subscription.updated) or ends (….deleted). */
  changePlan(subscriptionId: string, plan: string): Promise<Stripe.Event[]>;
  cancelSubscription(subscriptionId: string): Promise<Stripe.Event[]>;
  /** Where events are delivered from now on (the webhookUrl option, for a server that started later). */
  deliverTo(webhookUrl: string | undefined): void;
  /** An event with Stripe's envelope around `object`. */
  event(type: string, object: Obj): Stripe.Event;
  /** The body and Stripe-Signature header of an event, signed with the webhook secret. */
  sign(event: Stripe.Event, opts?: { timestamp?: number; secret?: string }): { payload: string; signature: string };
  close(): Promise<void>;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");
const id = (prefix: string) => `${prefix}_standin${randomBytes(9).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);
const MONTH = 30 * 24 * 3600;

class StandinError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

export async function startStripeStandin(
  options: { apiKey?: string; webhookSecret?: string; webhookUrl?: string; port?: number; host?: string } = {},
): Promise<StripeStandin> {
  const apiKey = options.apiKey ?? "sk_test_paddock_standin";
  const webhookSecret = options.webhookSecret ?? "whsec_paddock_standin";
  const sdk = new Stripe(apiKey);
  const state: StripeStandinState = {
    requests: [],
    customers: new Map(),
    sessions: new Map(),
    subscriptions: new Map(),
    portalSessions: new Map(),
    events: [],
    deliveries: [],
  };
  const idempotent = new Map<string, { status: number; body: unknown }>();
  let webhookUrl = options.webhookUrl;
  const payments = new Map<string, { amount: number; refunded: number; currency: string; chargeId: string }>();
  let origin = "";

  const event = (type: string, object: Obj): Stripe.Event => {
    const e = {
      id: id("evt"),
      object: "event",
      api_version: "2026-10-28.endive",
      created: now(),
      type,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    } as unknown as Stripe.Event;
    state.events.push(e);
    return e;
  };

  const sign = (e: Stripe.Event, opts: { timestamp?: number; secret?: string } = {}) => {
    const payload = JSON.stringify(e);
    const signature = sdk.webhooks.generateTestHeaderString({
      payload,
      secret: opts.secret ?? webhookSecret,
      timestamp: opts.timestamp ?? now(),
    });
    return { payload, signature };
  };

  async function deliver(events: Stripe.Event[]): Promise<Stripe.Event[]> {
    if (!webhookUrl) return events;
    for (const e of events) {
      const { payload, signature } = sign(e);
      const res = await fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signature },
        body: payload,
      }).catch(() => null);
      state.deliveries.push({ eventId: e.id, status: res?.status ?? 0 });
    }
    return events;
  }

  const lineTotal = (items: unknown): number =>
    (Array.isArray(items) ? (items as Obj[]) : []).reduce((sum, item) => {
      const price = item.price_data as Obj | undefined;
      return sum + Number(price?.unit_amount ?? 0) * Number(item.quantity ?? 1);
    }, 0);

  function subscriptionFor(session: Obj): Obj {
    const item = ((session.line_items as Obj[] | undefined) ?? [])[0] ?? {};
    const priceData = item.price_data as Obj | undefined;
    const productMetadata = ((priceData?.product_data as Obj | undefined)?.metadata as Obj | undefined) ?? {};
    const metadata = ((session.subscription_data as Obj | undefined)?.metadata as Obj | undefined) ?? {};
    const start = now();
    const sub: Obj = {
      id: id("sub"),
      object: "subscription",
      customer: session.customer,
      status: "active",
      cancel_at_period_end: false,
      metadata,
      created: start,
      items: {
        object: "list",
        data: [
          {
            id: id("si"),
            object: "subscription_item",
            quantity: 1,
            current_period_start: start,
            current_period_end: start + MONTH,
            price: {
              id: typeof item.price === "string" ? item.price : id("price"),
              object: "price",
              currency: priceData?.currency ?? "usd",
              unit_amount: Number(priceData?.unit_amount ?? 0),
              metadata: productMetadata,
              recurring: { interval: "month" },
            },
          },
        ],
      },
    };
    state.subscriptions.set(sub.id as string, sub);
    return sub;
  }

  function invoiceFor(sub: Obj, paid: boolean): Obj {
    const item = (sub.items as { data: Obj[] }).data[0]!;
    const price = item.price as Obj;
    const amount = Number(price.unit_amount ?? 0);
    return {
      id: id("in"),
      object: "invoice",
      customer: sub.customer,
      number: `STANDIN-${String(state.events.length + 1).padStart(4, "0")}`,
      status: paid ? "paid" : "open",
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      currency: price.currency,
      hosted_invoice_url: `${origin}/invoice`,
      period_start: item.current_period_start,
      period_end: item.current_period_end,
      created: now(),
      parent: { type: "subscription_details", subscription_details: { subscription: sub.id, metadata: sub.metadata } },
    };
  }

  async function completeCheckout(sessionId: string): Promise<Stripe.Event[]> {
    const session = state.sessions.get(sessionId);
    if (!session) throw new StandinError(404, `No such checkout.session: '${sessionId}'`);
    if (session.status !== "open") throw new StandinError(400, `checkout session ${sessionId} is ${String(session.status)}`);
    session.status = "complete";
    session.payment_status = "paid";
    if (session.mode === "payment") {
      const pi = id("pi");
      session.payment_intent = pi;
      payments.set(pi, { amount: Number(session.amount_total), refunded: 0, currency: String(session.currency), chargeId: id("ch") });
      return deliver([event("checkout.session.completed", session)]);
    }
    const sub = subscriptionFor(session);
    session.subscription = sub.id;
    return deliver([
      event("checkout.session.completed", session),
      event("customer.subscription.created", sub),
      event("invoice.paid", invoiceFor(sub, true)),
    ]);
  }

  function payment(paymentIntentId: string) {
    const p = payments.get(paymentIntentId);
    if (!p) throw new StandinError(404, `No such payment_intent: '${paymentIntentId}'`);
    return p;
  }

  async function refund(paymentIntentId: string, amount?: number): Promise<Stripe.Event[]> {
    const p = payment(paymentIntentId);
    p.refunded = Math.min(p.amount, p.refunded + (amount ?? p.amount - p.refunded));
    const charge = {
      id: p.chargeId,
      object: "charge",
      amount: p.amount,
      amount_refunded: p.refunded,
      refunded: p.refunded === p.amount,
      currency: p.currency,
      payment_intent: paymentIntentId,
      status: "succeeded",
    };
    return deliver([event("charge.refunded", charge)]);
  }

  async function dispute(paymentIntentId: string): Promise<Stripe.Event[]> {
    const p = payment(paymentIntentId);
    const d = {
      id: id("dp"),
      object: "dispute",
      amount: p.amount,
      currency: p.currency,
      charge: p.chargeId,
      payment_intent: paymentIntentId,
      status: "needs_response",
      reason: "fraudulent",
    };
    return deliver([event("charge.dispute.created", d)]);
  }

  function subscription(subscriptionId: string): Obj {
    const sub = state.subscriptions.get(subscriptionId);
    if (!sub) throw new StandinError(404, `No such subscription: '${subscriptionId}'`);
    return sub;
  }

  async function changePlan(subscriptionId: string, plan: string): Promise<Stripe.Event[]> {
    const sub = subscription(subscriptionId);
    sub.metadata = { ...(sub.metadata as Obj), paddockPlan: plan };
    const item = (sub.items as { data: Obj[] }).data[0]!;
    item.price = { ...(item.price as Obj), id: id("price"), metadata: { paddockPlan: plan } };
    return deliver([event("customer.subscription.updated", sub)]);
  }

  async function cancelSubscription(subscriptionId: string): Promise<Stripe.Event[]> {
    const sub = subscription(subscriptionId);
    sub.status = "canceled";
    return deliver([event("customer.subscription.deleted", sub)]);
  }

  // ─── HTTP ───
  const app = express();
  app.use(express.urlencoded({ extended: true, limit: "1mb" }));

  const api = express.Router();
  api.use((req, res, next) => {
    state.requests.push({
      method: req.method,
      path: req.path,
      body: (req.body ?? {}) as Obj,
      idempotencyKey: req.header("idempotency-key"),
      stripeVersion: req.header("stripe-version"),
    });
    // The key as a Bearer token (the SDK) or as Basic auth's user name (`curl -u sk_…:`), as Stripe takes it.
    const basic = `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`;
    if (req.header("authorization") !== `Bearer ${apiKey}` && req.header("authorization") !== basic) {
      throw new StandinError(401, "Invalid API Key provided", "invalid_request_error");
    }
    const key = req.header("idempotency-key");
    const known = key && req.method === "POST" ? idempotent.get(`${req.path} ${key}`) : undefined;
    if (known) return void res.status(known.status).json(known.body);
    if (key && req.method === "POST") {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        idempotent.set(`${req.path} ${key}`, { status: res.statusCode, body });
        return json(body);
      };
    }
    next();
  });

  api.post("/customers", (req, res) => {
    const body = req.body as Obj;
    const customer = {
      id: id("cus"),
      object: "customer",
      name: body.name ?? null,
      email: body.email ?? null,
      metadata: body.metadata ?? {},
    };
    state.customers.set(customer.id, customer);
    res.json(customer);
  });

  api.post("/checkout/sessions", (req, res) => {
    const body = req.body as Obj;
    if (body.mode !== "payment" && body.mode !== "subscription") throw new StandinError(400, "mode must be payment or subscription");
    if (!body.success_url) throw new StandinError(400, "Missing required param: success_url.");
    if (body.mode === "subscription" && !body.customer && !body.customer_email)
      throw new StandinError(400, "a subscription needs a customer");
    if (body.customer && !state.customers.has(text(body.customer)))
      throw new StandinError(400, `No such customer: '${text(body.customer)}'`);
    const sessionId = id("cs_test");
    const items = body.line_items as Obj[] | undefined;
    const session: Obj = {
      id: sessionId,
      object: "checkout.session",
      mode: body.mode,
      status: "open",
      payment_status: "unpaid",
      url: `${origin}/checkout/${sessionId}`,
      customer: body.customer ?? null,
      customer_email: body.customer_email ?? null,
      client_reference_id: body.client_reference_id ?? null,
      metadata: body.metadata ?? {},
      success_url: body.success_url,
      cancel_url: body.cancel_url ?? null,
      currency: (items?.[0]?.price_data as Obj | undefined)?.currency ?? "usd",
      amount_total: lineTotal(items),
      payment_intent: null,
      subscription: null,
      line_items: items,
      subscription_data: body.subscription_data,
      livemode: false,
      created: now(),
    };
    state.sessions.set(sessionId, session);
    const { line_items: _items, subscription_data: _sub, ...visible } = session;
    res.json(visible);
  });

  api.get("/checkout/sessions/:id", (req, res) => {
    const session = state.sessions.get(String(req.params.id));
    if (!session) throw new StandinError(404, `No such checkout.session: '${String(req.params.id)}'`);
    res.json(session);
  });

  api.post("/billing_portal/sessions", (req, res) => {
    const body = req.body as Obj;
    if (!body.customer || !state.customers.has(text(body.customer)))
      throw new StandinError(400, `No such customer: '${text(body.customer)}'`);
    const portal = {
      id: id("bps"),
      object: "billing_portal.session",
      customer: body.customer,
      return_url: body.return_url ?? null,
      url: "",
    };
    portal.url = `${origin}/portal/${portal.id}`;
    state.portalSessions.set(portal.id, portal);
    res.json(portal);
  });

  api.get("/subscriptions/:id", (req, res) => {
    res.json(subscription(String(req.params.id)));
  });

  app.use("/v1", api);

  // The customer's side: minimal pages to pay, cancel and manage, for a local demo.
  const page = (res: Response, title: string, body: string) =>
    res.type("html")
      .send(`<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">
<p style="color:#888">Stripe stand-in (local, no money moves)</p><h1>${title}</h1>${body}</body>`);
  const escape = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

  app.get("/checkout/:id", (req, res) => {
    const session = state.sessions.get(String(req.params.id));
    if (!session) throw new StandinError(404, "no such checkout session");
    const amount = `${(Number(session.amount_total) / 100).toFixed(2)} ${String(session.currency).toUpperCase()}`;
    page(
      res,
      `Pay ${amount}${session.mode === "subscription" ? " a month" : ""}`,
      `<form method="post" action="/checkout/${escape(session.id)}/pay"><button>Pay</button></form>
<form method="post" action="/checkout/${escape(session.id)}/cancel"><button>Cancel</button></form>`,
    );
  });
  app.post("/checkout/:id/pay", async (req, res) => {
    const sessionId = String(req.params.id);
    await completeCheckout(sessionId);
    res.redirect(303, String(state.sessions.get(sessionId)!.success_url));
  });
  app.post("/checkout/:id/cancel", (req, res) => {
    const session = state.sessions.get(String(req.params.id));
    if (!session) throw new StandinError(404, "no such checkout session");
    session.status = "expired";
    res.redirect(303, String(session.cancel_url ?? session.success_url));
  });

  const portalSubscription = (req: Request) => {
    const portal = state.portalSessions.get(String(req.params.id));
    if (!portal) throw new StandinError(404, "no such portal session");
    const sub = [...state.subscriptions.values()].reverse().find((s) => s.customer === portal.customer && s.status !== "canceled");
    return { portal, sub };
  };
  app.get("/portal/:id", (req, res) => {
    const { portal, sub } = portalSubscription(req);
    const back = `<p><a href="${escape(portal.return_url)}">Back to Paddock</a></p>`;
    if (!sub) return void page(res, "No active subscription", back);
    const plan = (sub.metadata as Obj).paddockPlan;
    const switches = ["sprint", "pro", "scale"]
      .filter((p) => p !== plan)
      .map(
        (p) =>
          `<form method="post" action="/portal/${escape(portal.id)}/plan"><input type="hidden" name="plan" value="${p}"><button>Switch to ${p}</button></form>`,
      )
      .join("");
    page(
      res,
      `Subscription: ${escape(plan)}`,
      `${switches}<form method="post" action="/portal/${escape(portal.id)}/cancel"><button>Cancel subscription</button></form>${back}`,
    );
  });
  app.post("/portal/:id/plan", async (req, res) => {
    const { portal, sub } = portalSubscription(req);
    if (sub) await changePlan(String(sub.id), String((req.body as Obj).plan));
    res.redirect(303, String(portal.return_url));
  });
  app.post("/portal/:id/cancel", async (req, res) => {
    const { portal, sub } = portalSubscription(req);
    if (sub) await cancelSubscription(String(sub.id));
    res.redirect(303, String(portal.return_url));
  });

  app.use((_req, res) => {
    res.status(404).json({ error: { type: "invalid_request_error", message: "Unrecognized request URL" } });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const e = err instanceof StandinError ? err : new StandinError(500, (err as Error).message, "api_error");
    res.status(e.status).json({ error: { type: e.type, message: e.message } });
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  origin = `http://${options.host ?? "127.0.0.1"}:${address.port}`;

  return {
    url: origin,
    apiKey,
    webhookSecret,
    state,
    completeCheckout,
    refund,
    dispute,
    changePlan,
    cancelSubscription,
    deliverTo: (url) => {
      webhookUrl = url;
    },
    event,
    sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
