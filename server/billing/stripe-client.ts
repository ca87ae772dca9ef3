// The one Stripe SDK client, made from the settings. Billing is on only with STRIPE_SECRET_KEY;
// STRIPE_API_BASE sends the SDK's requests elsewhere than https://api.stripe.com (the local
// stand-in, server/billing/stripe-standin.ts), through the SDK's own host/port/protocol options.
import Stripe from "stripe";
import { config, type Config } from "../config";
import { AppError } from "../lib/errors";
import type { BillingSettings } from "../domain/billing/settings";

export type StripeSettings = Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">;

export function createStripeClient(settings: StripeSettings & { STRIPE_SECRET_KEY: string }): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Paddock" },
  };
  if (settings.STRIPE_API_BASE) {
    const url = new URL(settings.STRIPE_API_BASE);
    options.host = url.hostname;
    options.protocol = url.protocol === "http:" ? "http" : "https";
    options.port = url.port || (url.protocol === "http:" ? 80 : 443);
  }
  return new Stripe(settings.STRIPE_SECRET_KEY, options);
}

let client: Stripe | undefined;

export const billingConfigured = (): boolean => Boolean(config.STRIPE_SECRET_KEY);

export function notConfigured(): AppError {
  return new AppError("NOT_CONFIGURED", "billing is not configured on this Paddock (an operator sets STRIPE_SECRET_KEY to turn it on)");
}

/** The Stripe client; a clear NOT_CONFIGURED error when billing is off. */
export function stripeClient(): Stripe {
  if (!config.STRIPE_SECRET_KEY) throw notConfigured();
  client ??= createStripeClient({ ...config, STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY });
  return client;
}

/** The billing settings the domain works with (plans are enforced only when billing is on). */
export function billingSettings(): BillingSettings {
  return {
    enforced: billingConfigured(),
    plans: config.BILLING_PLANS,
    packs: config.BILLING_PACKS,
    currency: config.BILLING_CURRENCY,
    publicUrl: config.PUBLIC_URL,
  };
}
