// What the billing domain needs to know of the settings, passed in explicitly (the caller builds it
// from server/config.ts: server/billing/stripe-client.ts billingSettings()).
import type { CreditPack, Plan, PlanId } from "@shared/billing";

export interface BillingSettings {
  /** Billing is configured (STRIPE_SECRET_KEY): plan limits apply. Without it no limit does. */
  enforced: boolean;
  plans: Record<PlanId, Plan>;
  packs: CreditPack[];
  /** Lower-case ISO code, e.g. usd. */
  currency: string;
  /** Where Checkout and the portal send the customer back. */
  publicUrl: string;
}
