// The billing settings as an operator writes them: JSON for packs and plan overrides, the webhook
// secret required with the key, and a wrong value naming the variable.
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseConfig } from "../config";
import { DEFAULT_PACKS, DEFAULT_PLANS } from "@shared/billing";
import { createStripeClient } from "./stripe-client";

const base = {
  DATABASE_URL: "postgresql://localhost/x",
  REDIS_URL: "redis://localhost:6379",
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "paddock-billing-")),
};

describe("billing settings", () => {
  it("default to no billing, the default packs and plans, in usd", () => {
    const c = parseConfig(base);
    expect(c.STRIPE_SECRET_KEY).toBeUndefined();
    expect(c.BILLING_PACKS).toEqual(DEFAULT_PACKS);
    expect(c.BILLING_PLANS).toEqual(DEFAULT_PLANS);
    expect(c.BILLING_CURRENCY).toBe("usd");
  });

  it("override plans per field and replace the packs", () => {
    const c = parseConfig({
      ...base,
      BILLING_PLANS: '{"pro":{"priceCents":14900,"liveRuns":30,"stripePriceId":"price_pro"}}',
      BILLING_PACKS: '[{"id":"one","name":"One","priceCents":500,"credits":600}]',
      BILLING_CURRENCY: "eur",
    });
    expect(c.BILLING_PLANS.pro).toEqual({ ...DEFAULT_PLANS.pro, priceCents: 14_900, liveRuns: 30, stripePriceId: "price_pro" });
    expect(c.BILLING_PLANS.sprint).toEqual(DEFAULT_PLANS.sprint);
    expect(c.BILLING_PACKS).toEqual([{ id: "one", name: "One", priceCents: 500, credits: 600 }]);
    expect(c.BILLING_CURRENCY).toBe("eur");
  });

  it("refuse wrong values naming the variable", () => {
    expect(() => parseConfig({ ...base, BILLING_PLANS: "{pro" })).toThrow(/BILLING_PLANS: must be valid JSON/);
    expect(() => parseConfig({ ...base, BILLING_PLANS: '{"gold":{}}' })).toThrow(/BILLING_PLANS/);
    expect(() => parseConfig({ ...base, BILLING_PLANS: '{"pro":{"liveRuns":-1}}' })).toThrow(/BILLING_PLANS/);
    expect(() => parseConfig({ ...base, BILLING_PACKS: '[{"id":"a","name":"A","priceCents":0,"credits":1}]' })).toThrow(/BILLING_PACKS/);
    expect(() =>
      parseConfig({
        ...base,
        BILLING_PACKS: '[{"id":"a","name":"A","priceCents":1,"credits":1},{"id":"a","name":"B","priceCents":1,"credits":1}]',
      }),
    ).toThrow(/pack ids must be unique/);
    expect(() => parseConfig({ ...base, BILLING_CURRENCY: "USD" })).toThrow(/BILLING_CURRENCY/);
    expect(() => parseConfig({ ...base, STRIPE_SECRET_KEY: "sk_test_1" })).toThrow(
      /STRIPE_WEBHOOK_SECRET: is required when STRIPE_SECRET_KEY is set/,
    );
  });

  it("point the SDK at STRIPE_API_BASE through its host, port and protocol options", async () => {
    const stripe = createStripeClient({ STRIPE_SECRET_KEY: "sk_test_x", STRIPE_API_BASE: "http://127.0.0.1:1" });
    // Nothing listens on port 1: the SDK's own connection error proves where it went.
    const err = await stripe.customers.create({}, { maxNetworkRetries: 0 }).catch((e: unknown) => e);
    expect((err as Error).constructor.name).toBe("StripeConnectionError");
    expect(String((err as { detail?: unknown }).detail)).toMatch(/127\.0\.0\.1:1|ECONNREFUSED/);
  });
});
