-- Billing with Stripe: credit top-ups, workspace plans and the webhook events that drive both
-- (server/domain/billing/). Function bodies spell their semicolons as \073: the JS schema engine
-- splits scripts on every semicolon.

-- AlterTable
ALTER TABLE "ledger_accounts" ADD COLUMN     "overdrawnAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "workspace_billing" (
    "workspaceId" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "plan" TEXT NOT NULL DEFAULT 'free',
    "subscriptionId" TEXT,
    "subscriptionStatus" TEXT,
    "currentPeriodEnd" TIMESTAMP(3),
    "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
    "subscriptionAsOf" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workspace_billing_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "stripe_invoices" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "number" TEXT,
    "status" TEXT NOT NULL,
    "amountDue" INTEGER NOT NULL,
    "amountPaid" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "hostedUrl" TEXT,
    "periodStart" TIMESTAMP(3),
    "periodEnd" TIMESTAMP(3),
    "issuedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "stripe_invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "result" TEXT NOT NULL,
    "detail" TEXT,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_topups" (
    "id" TEXT NOT NULL,
    "paymentIntentId" TEXT NOT NULL,
    "sessionId" TEXT,
    "userId" TEXT,
    "packId" TEXT,
    "credits" INTEGER NOT NULL DEFAULT 0,
    "amountPaid" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT,
    "creditedAt" TIMESTAMP(3),
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "disputedAmount" INTEGER NOT NULL DEFAULT 0,
    "reversedCredits" INTEGER NOT NULL DEFAULT 0,
    "reversals" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "stripe_topups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspace_billing_stripeCustomerId_key" ON "workspace_billing"("stripeCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "workspace_billing_subscriptionId_key" ON "workspace_billing"("subscriptionId");

-- CreateIndex
CREATE INDEX "stripe_invoices_workspaceId_issuedAt_idx" ON "stripe_invoices"("workspaceId", "issuedAt");

-- CreateIndex
CREATE INDEX "stripe_events_receivedAt_idx" ON "stripe_events"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_topups_paymentIntentId_key" ON "stripe_topups"("paymentIntentId");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_topups_sessionId_key" ON "stripe_topups"("sessionId");

-- CreateIndex
CREATE INDEX "stripe_topups_userId_createdAt_idx" ON "stripe_topups"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "workspace_billing" ADD CONSTRAINT "workspace_billing_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_invoices" ADD CONSTRAINT "stripe_invoices_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A user's balance may go below zero only when a Stripe refund or dispute took back credits already
-- spent: the account is then flagged (overdrawnAt), which blocks betting and launching. Any money
-- that brings the balance back to zero or above settles it: the trigger clears the flag in the
-- same UPDATE (its WHEN clause keeps the hot paths, which never touch a flagged account, free of it).
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_balance_floor";
ALTER TABLE "ledger_accounts"
  ADD CONSTRAINT "ledger_accounts_balance_floor" CHECK ("allowNegative" OR "balance" >= 0 OR "overdrawnAt" IS NOT NULL);

CREATE FUNCTION paddock_ledger_overdraft_settled() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN NEW."overdrawnAt" := NULL\073 RETURN NEW\073 END\073';

CREATE TRIGGER ledger_accounts_overdraft_settled BEFORE UPDATE OF "balance" ON "ledger_accounts"
  FOR EACH ROW WHEN (OLD."overdrawnAt" IS NOT NULL AND NEW."balance" >= 0)
  EXECUTE FUNCTION paddock_ledger_overdraft_settled();
