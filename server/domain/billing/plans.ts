// Plan limits, enforced where the work is created. `planLimits` is the one way to learn what a
// workspace may do; the live-run check runs inside run creation (runs/create.ts calls it through
// its `workspaceQuota` hook), and deliverables (issue 16) call `enforceDeliverableLimit` and
// `enforceRevisionLimit` when they create a deliverable or a revision.
import { AppError } from "../../lib/errors";
import type { DbClient, Prisma } from "../../lib/db";
import {
  deliverableRefusal,
  effectivePlanId,
  liveRunRefusal,
  revisionRefusal,
  type LimitRefusal,
  type Plan,
  type PlanId,
} from "@shared/billing";
import { LIVE_RUN_STATUSES } from "@shared/run-status";
import { userAccountKey } from "../ledger";
import type { BillingSettings } from "./settings";

export interface WorkspacePlan {
  /** The plan whose limits apply now (free when the subscription lapsed). */
  plan: Plan;
  /** The plan subscribed to, whatever its status. */
  subscribedPlan: PlanId;
  status: string | null;
  /** False when billing is not configured: then no limit applies. */
  enforced: boolean;
}

/** The workspace's plan and its limits. */
export async function planLimits(db: DbClient, workspaceId: string, settings: BillingSettings): Promise<WorkspacePlan> {
  const row = await db.workspaceBilling.findUnique({ where: { workspaceId }, select: { plan: true, subscriptionStatus: true } });
  const effective = effectivePlanId(row?.plan, row?.subscriptionStatus);
  return {
    plan: settings.plans[effective],
    subscribedPlan: effectivePlanId(row?.plan, "active"),
    status: row?.subscriptionStatus ?? null,
    enforced: settings.enforced,
  };
}

export function planLimitError(refusal: LimitRefusal): AppError {
  return new AppError("PLAN_LIMIT", refusal.message, {
    details: { limit: refusal.limit, max: refusal.max, used: refusal.used, upgradePath: refusal.upgradePath },
  });
}

export async function liveRunsIn(db: DbClient, workspaceId: string): Promise<number> {
  return db.run.count({ where: { workspaceId, status: { in: [...LIVE_RUN_STATUSES] } } });
}

/** Refuses (INSUFFICIENT_FUNDS) while a Stripe refund or dispute has left the user's balance below zero. */
export async function assertNotOverdrawn(db: DbClient, userId: string, field = "credits"): Promise<void> {
  const account = await db.ledgerAccount.findUnique({
    where: { key: userAccountKey(userId) },
    select: { overdrawnAt: true, balance: true },
  });
  if (account?.overdrawnAt) {
    throw new AppError(
      "INSUFFICIENT_FUNDS",
      `your balance is ${account.balance} cents after a Stripe refund or dispute took back credits you had spent: add credits to bring it back to zero before betting or launching`,
      { field, details: { balance: Number(account.balance) } },
    );
  }
}

/**
 * The billing checks of a launch, inside run creation's transaction: the launcher's balance is not
 * overdrawn, and the workspace has room under its plan's live-run limit. Launches into one
 * workspace take turns on its row (FOR NO KEY UPDATE, which a run's foreign key check does not
 * wait for), so concurrent launches cannot all count the same live runs.
 */
export async function enforceLaunchAllowed(
  tx: Prisma.TransactionClient,
  args: { workspaceId: string; userId: string },
  settings: BillingSettings,
): Promise<void> {
  await assertNotOverdrawn(tx, args.userId);
  if (!settings.enforced) return;
  await tx.$queryRaw`SELECT 1 FROM workspaces WHERE id = ${args.workspaceId} FOR NO KEY UPDATE`;
  const { plan } = await planLimits(tx, args.workspaceId, settings);
  const refusal = liveRunRefusal(plan, args.workspaceId, await liveRunsIn(tx, args.workspaceId));
  if (refusal) throw planLimitError(refusal);
}

/**
 * For deliverables (issue 16): call inside the transaction that creates a deliverable, with the
 * number the workspace created since the start of this month (shared/billing.ts monthStartUtc),
 * after locking the workspace row so concurrent creations count each other.
 */
export async function enforceDeliverableLimit(
  db: DbClient,
  args: { workspaceId: string; deliverablesThisMonth: number },
  settings: BillingSettings,
): Promise<void> {
  if (!settings.enforced) return;
  const { plan } = await planLimits(db, args.workspaceId, settings);
  const refusal = deliverableRefusal(plan, args.workspaceId, args.deliverablesThisMonth);
  if (refusal) throw planLimitError(refusal);
}

/** For deliverables (issue 16): call before creating revision N+1, with `revisions` = N (versions after the first). */
export async function enforceRevisionLimit(
  db: DbClient,
  args: { workspaceId: string; revisions: number },
  settings: BillingSettings,
): Promise<void> {
  if (!settings.enforced) return;
  const { plan } = await planLimits(db, args.workspaceId, settings);
  const refusal = revisionRefusal(plan, args.workspaceId, args.revisions);
  if (refusal) throw planLimitError(refusal);
}
