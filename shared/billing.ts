// Billing rules shared by the server and the client: the workspace plans and what they allow, the
// credit packs' shape, and the refusals a plan limit gives. Prices and limits are settings
// (BILLING_PLANS, BILLING_PACKS in server/config.ts); these are the defaults.

export const PLAN_IDS = ["free", "sprint", "pro", "scale"] as const;
export type PlanId = (typeof PLAN_IDS)[number];
/** The plans a workspace can subscribe to (free is having none). */
export const PAID_PLAN_IDS = ["sprint", "pro", "scale"] as const satisfies readonly PlanId[];
export type PaidPlanId = (typeof PAID_PLAN_IDS)[number];

export interface PlanLimits {
  /** Runs queued, booting or running at once in the workspace. */
  liveRuns: number;
  /** Deliverables created in the workspace per calendar month (UTC). */
  deliverablesPerMonth: number;
  /** Revisions of one deliverable (version 1 is not a revision). */
  revisionsPerDeliverable: number;
}

export interface Plan extends PlanLimits {
  id: PlanId;
  name: string;
  /** Monthly price in cents of BILLING_CURRENCY; 0 for free. */
  priceCents: number;
  /** A Stripe Price id (recurring, monthly) to subscribe with; without one Checkout gets the price inline. */
  stripePriceId?: string | undefined;
}

export const DEFAULT_PLANS: Record<PlanId, Plan> = {
  free: { id: "free", name: "Free", priceCents: 0, liveRuns: 2, deliverablesPerMonth: 10, revisionsPerDeliverable: 1 },
  sprint: { id: "sprint", name: "Sprint", priceCents: 2_900, liveRuns: 5, deliverablesPerMonth: 50, revisionsPerDeliverable: 3 },
  pro: { id: "pro", name: "Pro", priceCents: 9_900, liveRuns: 20, deliverablesPerMonth: 250, revisionsPerDeliverable: 5 },
  scale: { id: "scale", name: "Scale", priceCents: 29_900, liveRuns: 100, deliverablesPerMonth: 2_000, revisionsPerDeliverable: 10 },
};

export interface CreditPack {
  id: string;
  name: string;
  /** What the customer pays, in cents of BILLING_CURRENCY. */
  priceCents: number;
  /** Play-money cents credited (may exceed the price: a bonus). */
  credits: number;
}

export const DEFAULT_PACKS: CreditPack[] = [
  { id: "starter", name: "Starter", priceCents: 1_000, credits: 1_000 },
  { id: "team", name: "Team", priceCents: 5_000, credits: 5_500 },
  { id: "studio", name: "Studio", priceCents: 20_000, credits: 24_000 },
];

/**
 * Subscription statuses that keep the plan's limits. A failed renewal (past_due) keeps them while
 * Stripe retries; canceled, unpaid, incomplete and the rest fall back to free.
 */
export const PLAN_KEEPING_STATUSES = ["active", "trialing", "past_due"] as const;

export const statusKeepsPlan = (status: string | null | undefined): boolean =>
  (PLAN_KEEPING_STATUSES as readonly string[]).includes(status ?? "");

/** The plan whose limits apply, given the subscribed plan and Stripe's subscription status. */
export function effectivePlanId(plan: string | null | undefined, status: string | null | undefined): PlanId {
  if (!plan || !(PLAN_IDS as readonly string[]).includes(plan) || plan === "free") return "free";
  return statusKeepsPlan(status) ? (plan as PlanId) : "free";
}

/** Where an owner or admin upgrades the workspace's plan (a client route). */
export const billingPath = (workspaceId: string) => `/workspaces/${workspaceId}/billing`;

export interface LimitRefusal {
  limit: keyof PlanLimits;
  message: string;
  /** The client route to upgrade from. */
  upgradePath: string;
  max: number;
  used: number;
}

function refusal(limit: keyof PlanLimits, plan: Plan, used: number, what: string, workspaceId: string): LimitRefusal {
  const max = plan[limit];
  return {
    limit,
    max,
    used,
    upgradePath: billingPath(workspaceId),
    message: `the workspace's ${plan.name} plan allows ${max} ${what}; it has ${used} — upgrade the plan at ${billingPath(workspaceId)}`,
  };
}

/** Refused when the workspace already has its plan's number of live runs. */
export function liveRunRefusal(plan: Plan, workspaceId: string, liveRuns: number): LimitRefusal | null {
  return liveRuns >= plan.liveRuns
    ? refusal("liveRuns", plan, liveRuns, "live runs at once (queued, booting or running)", workspaceId)
    : null;
}

/** Refused when the workspace has made its plan's number of deliverables this month (UTC). */
export function deliverableRefusal(plan: Plan, workspaceId: string, deliverablesThisMonth: number): LimitRefusal | null {
  return deliverablesThisMonth >= plan.deliverablesPerMonth
    ? refusal("deliverablesPerMonth", plan, deliverablesThisMonth, "deliverables a month", workspaceId)
    : null;
}

/** Refused when the deliverable has had its plan's number of revisions (versions after the first). */
export function revisionRefusal(plan: Plan, workspaceId: string, revisions: number): LimitRefusal | null {
  return revisions >= plan.revisionsPerDeliverable
    ? refusal("revisionsPerDeliverable", plan, revisions, "revisions per deliverable", workspaceId)
    : null;
}

/** The first instant of the calendar month (UTC) that holds `now`: deliverables per month count from it. */
export function monthStartUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
