// Credit top-ups through Stripe Checkout, and the money's way back on a refund or dispute.
//
// Money moves only through the ledger: a paid session credits the user from `mint:stripe` (kind
// `topup`, key `stripe:checkout:<sessionId>`, so one session credits once whatever events announce
// it); a refund or dispute moves the matching share of the credits back to `mint:stripe`, even past
// zero (the account is then flagged overdrawn: no betting or launching until it is back at zero).
// The top-up row, locked for the whole event, records how much has moved, so each event moves only
// the difference, and a refund that arrives before its payment waits on the row for it.
import type Stripe from "stripe";
import { AppError } from "../../lib/errors";
import { formatCents } from "@shared/money";
import type { Prisma } from "../../lib/db";
import { cuidLike, MINT_STRIPE, transfer, userAccountKey } from "../ledger";
import type { BillingSettings } from "./settings";
import { callStripe, idOf } from "./stripe-calls";

export interface BalanceChange {
  userId: string;
  balance: number;
  reason: string;
}

export interface EventOutcome {
  result: string;
  detail?: string;
  balances?: BalanceChange[];
}

/** Metadata Paddock puts on a top-up's Checkout Session (and its payment intent). */
export interface TopupMetadata {
  paddockKind: "topup";
  paddockUserId: string;
  paddockPackId: string;
  paddockCredits: string;
}

export async function createTopupCheckout(
  stripe: Stripe,
  settings: BillingSettings,
  args: { userId: string; email: string; packId: string },
): Promise<{ sessionId: string; url: string }> {
  const pack = settings.packs.find((p) => p.id === args.packId);
  if (!pack) {
    throw new AppError("BAD_REQUEST", `packId must be one of ${settings.packs.map((p) => p.id).join(", ")}`, { field: "packId" });
  }
  const metadata: TopupMetadata = {
    paddockKind: "topup",
    paddockUserId: args.userId,
    paddockPackId: pack.id,
    paddockCredits: String(pack.credits),
  };
  const session = await callStripe(() =>
    stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: settings.currency,
            unit_amount: pack.priceCents,
            product_data: { name: `Paddock credits — ${pack.name}`, description: `${formatCents(pack.credits)} of play-money credits` },
          },
        },
      ],
      customer_email: args.email,
      client_reference_id: args.userId,
      metadata: { ...metadata },
      payment_intent_data: { metadata: { ...metadata } },
      success_url: `${settings.publicUrl}/account?topup=success`,
      cancel_url: `${settings.publicUrl}/account?topup=canceled`,
    }),
  );
  if (!session.url) throw new AppError("UNAVAILABLE", "Stripe made a Checkout Session without a URL; try again");
  return { sessionId: session.id, url: session.url };
}

interface TopupRow {
  id: string;
  paymentIntentId: string;
  sessionId: string | null;
  userId: string | null;
  credits: number;
  amountPaid: number;
  creditedAt: Date | null;
  refundedAmount: number;
  disputedAmount: number;
  reversedCredits: number;
  reversals: number;
}

/** The top-up row of a payment, made if it is not there yet, locked until the transaction ends. */
async function lockTopup(tx: Prisma.TransactionClient, paymentIntentId: string): Promise<TopupRow> {
  await tx.$executeRaw`
    INSERT INTO stripe_topups (id, "paymentIntentId", "createdAt", "updatedAt")
    VALUES (${cuidLike()}, ${paymentIntentId}, now(), now())
    ON CONFLICT ("paymentIntentId") DO NOTHING`;
  const rows = await tx.$queryRaw<TopupRow[]>`
    SELECT id, "paymentIntentId", "sessionId", "userId", credits, "amountPaid", "creditedAt",
           "refundedAmount", "disputedAmount", "reversedCredits", reversals
      FROM stripe_topups WHERE "paymentIntentId" = ${paymentIntentId} FOR UPDATE`;
  return rows[0]!;
}

/** A paid top-up session credits its user once; one not paid yet (a delayed method) waits for its async success. */
export async function creditCheckoutSession(tx: Prisma.TransactionClient, session: Stripe.Checkout.Session): Promise<EventOutcome> {
  const md = session.metadata ?? {};
  if (md.paddockKind !== "topup") return { result: "ignored", detail: `session ${session.id} is not a Paddock top-up` };
  const userId = md.paddockUserId;
  const credits = Number(md.paddockCredits);
  if (!userId || !Number.isSafeInteger(credits) || credits <= 0) {
    return { result: "rejected", detail: `session ${session.id} has no valid paddockUserId / paddockCredits metadata` };
  }
  if (session.payment_status !== "paid") {
    return { result: "awaiting_payment", detail: `session ${session.id} is ${session.payment_status}; credited when its payment succeeds` };
  }
  const account = await tx.ledgerAccount.findUnique({ where: { key: userAccountKey(userId) }, select: { id: true } });
  if (!account) return { result: "rejected", detail: `session ${session.id} names user ${userId}, who has no account here` };

  const row = await lockTopup(tx, idOf(session.payment_intent) ?? `session:${session.id}`);
  if (row.creditedAt) return { result: "duplicate", detail: `session ${row.sessionId ?? session.id} was credited already` };
  const moved = await transfer(tx, {
    from: MINT_STRIPE,
    to: userAccountKey(userId),
    amount: credits,
    kind: "topup",
    idempotencyKey: `stripe:checkout:${session.id}`,
    memo: `Stripe top-up (${md.paddockPackId ?? "pack"}, session ${session.id})`,
  });
  const credited = await tx.stripeTopup.update({
    where: { id: row.id },
    data: {
      sessionId: session.id,
      userId,
      packId: md.paddockPackId ?? null,
      credits,
      amountPaid: session.amount_total ?? 0,
      currency: session.currency,
      creditedAt: new Date(),
    },
    select: { id: true },
  });
  if (moved.duplicate) return { result: "duplicate", detail: `session ${session.id} was credited already` };
  const balances: BalanceChange[] = [{ userId, balance: moved.toBalance ?? 0, reason: "credits bought" }];
  // A refund or dispute that arrived first takes its share straight back.
  const reversal = await settleReversal(tx, {
    ...row,
    id: credited.id,
    userId,
    credits,
    amountPaid: session.amount_total ?? 0,
    creditedAt: new Date(),
  });
  if (reversal) balances.push(reversal);
  return {
    result: "credited",
    detail: `${credits} cents to user ${userId} (session ${session.id})${reversal ? `, then ${reversal.reason}` : ""}`,
    balances,
  };
}

/**
 * Moves the user's credits to match what Stripe has taken back (refunds and open or lost disputes)
 * as a share of the payment: the difference from what has moved before, either way (a dispute
 * won gives credits back). Nothing moves before the payment itself has been credited.
 */
async function settleReversal(tx: Prisma.TransactionClient, row: TopupRow): Promise<BalanceChange | null> {
  if (!row.creditedAt || !row.userId || row.amountPaid <= 0) return null;
  const taken = Math.min(row.refundedAmount + row.disputedAmount, row.amountPaid);
  // Rounded share of the credits, in integers (credits × taken can pass 2^53).
  const target = Number((BigInt(row.credits) * BigInt(taken) * 2n + BigInt(row.amountPaid)) / (2n * BigInt(row.amountPaid)));
  const delta = target - row.reversedCredits;
  if (delta === 0) return null;
  const seq = row.reversals + 1;
  const user = userAccountKey(row.userId);
  const key = `stripe:reversal:${row.paymentIntentId}:${seq}`;
  const moved =
    delta > 0
      ? await transfer(tx, {
          from: user,
          to: MINT_STRIPE,
          amount: delta,
          kind: "adjustment",
          idempotencyKey: key,
          overdraft: true,
          memo: `Stripe refund or dispute of top-up ${row.sessionId ?? row.paymentIntentId}`,
        })
      : await transfer(tx, {
          from: MINT_STRIPE,
          to: user,
          amount: -delta,
          kind: "topup",
          idempotencyKey: key,
          memo: `Stripe dispute of top-up ${row.sessionId ?? row.paymentIntentId} won: credits restored`,
        });
  await tx.stripeTopup.update({ where: { id: row.id }, data: { reversedCredits: target, reversals: seq } });
  const balance = (delta > 0 ? moved.fromBalance : moved.toBalance) ?? 0;
  return {
    userId: row.userId,
    balance,
    reason: delta > 0 ? `${formatCents(delta)} taken back by a Stripe refund or dispute` : `${formatCents(-delta)} restored (dispute won)`,
  };
}

/** `charge.refunded`: Stripe's cumulative refunded amount; the credits follow it. */
export async function recordChargeRefund(tx: Prisma.TransactionClient, charge: Stripe.Charge): Promise<EventOutcome> {
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return { result: "ignored", detail: `charge ${charge.id} has no payment intent` };
  const row = await lockTopup(tx, paymentIntentId);
  const refundedAmount = Math.max(row.refundedAmount, charge.amount_refunded);
  const amountPaid = row.amountPaid || charge.amount;
  await tx.stripeTopup.update({ where: { id: row.id }, data: { refundedAmount, amountPaid } });
  const change = await settleReversal(tx, { ...row, refundedAmount, amountPaid });
  return reversalOutcome(row, change, `refund of ${charge.amount_refunded} of ${charge.amount}`);
}

/** `charge.dispute.created` takes the disputed share back; `charge.dispute.closed` as won gives it back. */
export async function recordDispute(tx: Prisma.TransactionClient, dispute: Stripe.Dispute, closed: boolean): Promise<EventOutcome> {
  const paymentIntentId = idOf(dispute.payment_intent);
  if (!paymentIntentId) return { result: "ignored", detail: `dispute ${dispute.id} has no payment intent` };
  if (closed && dispute.status !== "won") return { result: "ignored", detail: `dispute ${dispute.id} closed as ${dispute.status}` };
  const row = await lockTopup(tx, paymentIntentId);
  const disputedAmount = closed ? 0 : Math.max(row.disputedAmount, dispute.amount);
  await tx.stripeTopup.update({ where: { id: row.id }, data: { disputedAmount, amountPaid: row.amountPaid || dispute.amount } });
  const change = await settleReversal(tx, { ...row, disputedAmount, amountPaid: row.amountPaid || dispute.amount });
  return reversalOutcome(row, change, closed ? `dispute ${dispute.id} won` : `dispute ${dispute.id} of ${dispute.amount}`);
}

function reversalOutcome(row: TopupRow, change: BalanceChange | null, what: string): EventOutcome {
  if (change) return { result: "reversed", detail: `${what}: ${change.reason} (user ${change.userId})`, balances: [change] };
  if (!row.creditedAt) return { result: "recorded", detail: `${what}: applied when payment ${row.paymentIntentId} is credited` };
  return { result: "unchanged", detail: `${what}: the credits already match` };
}
