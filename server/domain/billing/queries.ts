// What the billing pages read: a workspace's plan, usage against its limits and invoices; the
// stored webhook events (admins); a user's standing (overdrawn or not).
import type { DbClient } from "../../lib/db";
import { can } from "@shared/workspace-rules";
import { PAID_PLAN_IDS, type Plan } from "@shared/billing";
import { userAccountKey } from "../ledger";
import { liveRunsIn, planLimits } from "./plans";
import { billingMembership } from "./subscriptions";
import type { BillingSettings } from "./settings";

export interface InvoiceView {
  id: string;
  number: string | null;
  status: string;
  amountDue: number;
  amountPaid: number;
  currency: string;
  hostedUrl: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  issuedAt: Date;
}

export interface WorkspaceBillingView {
  workspaceId: string;
  /** Billing is configured: plans can be bought and their limits apply. */
  configured: boolean;
  /** The caller may subscribe, manage the subscription and see invoices. */
  canManage: boolean;
  plan: Plan;
  subscribedPlan: string;
  status: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  hasCustomer: boolean;
  usage: { liveRuns: number };
  /** The plans on sale, cheapest first. */
  plans: Plan[];
  currency: string;
  /** Newest first; empty unless canManage. */
  invoices: InvoiceView[];
}

export async function workspaceBilling(
  db: DbClient,
  settings: BillingSettings,
  args: { userId: string; workspaceId: string },
): Promise<WorkspaceBillingView> {
  const { workspace, role } = await billingMembership(db, args.workspaceId, args.userId);
  const canManage = can(role, "manageBilling");
  const [limits, row, liveRuns, invoices] = await Promise.all([
    planLimits(db, workspace.id, settings),
    db.workspaceBilling.findUnique({
      where: { workspaceId: workspace.id },
      select: { currentPeriodEnd: true, cancelAtPeriodEnd: true, stripeCustomerId: true },
    }),
    liveRunsIn(db, workspace.id),
    canManage
      ? db.stripeInvoice.findMany({
          where: { workspaceId: workspace.id },
          orderBy: { issuedAt: "desc" },
          take: 24,
          select: {
            id: true,
            number: true,
            status: true,
            amountDue: true,
            amountPaid: true,
            currency: true,
            hostedUrl: true,
            periodStart: true,
            periodEnd: true,
            issuedAt: true,
          },
        })
      : Promise.resolve([]),
  ]);
  return {
    workspaceId: workspace.id,
    configured: settings.enforced,
    canManage,
    plan: limits.plan,
    subscribedPlan: limits.subscribedPlan,
    status: limits.status,
    currentPeriodEnd: row?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: row?.cancelAtPeriodEnd ?? false,
    hasCustomer: Boolean(row?.stripeCustomerId),
    usage: { liveRuns },
    plans: [settings.plans.free, ...PAID_PLAN_IDS.map((id) => settings.plans[id])].map(({ stripePriceId: _hidden, ...plan }) => plan),
    currency: settings.currency,
    invoices,
  };
}

export async function listStripeEvents(db: DbClient, args: { limit: number; cursor?: string | undefined; type?: string | undefined }) {
  const rows = await db.stripeEvent.findMany({
    where: args.type ? { type: args.type } : {},
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: args.limit + 1,
    ...(args.cursor ? { cursor: { id: args.cursor }, skip: 1 } : {}),
    select: { id: true, type: true, createdAt: true, receivedAt: true, processedAt: true, result: true, detail: true },
  });
  const more = rows.length > args.limit;
  const items = more ? rows.slice(0, args.limit) : rows;
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/** Whether a Stripe refund or dispute has left the user's balance below zero (no betting or launching until it is back). */
export async function accountStanding(db: DbClient, userId: string): Promise<{ balance: number; overdrawn: boolean }> {
  const row = await db.ledgerAccount.findUnique({ where: { key: userAccountKey(userId) }, select: { balance: true, overdrawnAt: true } });
  return { balance: Number(row?.balance ?? 0n), overdrawn: Boolean(row?.overdrawnAt) };
}
