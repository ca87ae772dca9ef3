
-- CreateEnum
CREATE TYPE "Role" AS ENUM ('member', 'operator', 'admin');

-- CreateEnum
CREATE TYPE "LedgerAccountKind" AS ENUM ('user', 'mint', 'house', 'run', 'pool');

-- CreateEnum
CREATE TYPE "TransferKind" AS ENUM ('signup_grant', 'topup', 'bet', 'payout', 'refund', 'rake', 'credit_budget', 'credit_injection', 'credit_spend', 'credit_return', 'adjustment');

-- CreateEnum
CREATE TYPE "AgentStatus" AS ENUM ('available', 'busy', 'offline');

-- CreateEnum
CREATE TYPE "SandboxStatus" AS ENUM ('queued', 'booting', 'running', 'succeeded', 'failed', 'canceled', 'expired');

-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('log', 'thought', 'action', 'tool_call', 'progress', 'screenshot', 'email', 'payment', 'error', 'status');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('screenshot', 'file');

-- CreateEnum
CREATE TYPE "ReviewState" AS ENUM ('pending', 'approved', 'rejected');

-- CreateEnum
CREATE TYPE "PromptStatus" AS ENUM ('pending', 'delivered', 'acknowledged');

-- CreateEnum
CREATE TYPE "PoolStatus" AS ENUM ('open', 'locked', 'settled', 'refunded');

-- CreateEnum
CREATE TYPE "BetSide" AS ENUM ('yes', 'no');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'member',
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification_tokens" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_accounts" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" "LedgerAccountKind" NOT NULL,
    "userId" TEXT,
    "allowNegative" BOOLEAN NOT NULL DEFAULT false,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_transfers" (
    "id" TEXT NOT NULL,
    "kind" "TransferKind" NOT NULL,
    "idempotencyKey" TEXT,
    "memo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transfers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "transferId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_profiles" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "specialization" TEXT NOT NULL DEFAULT 'general',
    "capabilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "model" TEXT NOT NULL,
    "runtime" TEXT NOT NULL DEFAULT 'paddock-reference-agent',
    "policy" TEXT NOT NULL DEFAULT 'demo',
    "status" "AgentStatus" NOT NULL DEFAULT 'available',
    "heartbeatAt" TIMESTAMP(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandboxes" (
    "id" TEXT NOT NULL,
    "goal" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "targetValue" DOUBLE PRECISION NOT NULL,
    "currentProgress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "agentProfileId" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'local',
    "providerId" TEXT,
    "status" "SandboxStatus" NOT NULL DEFAULT 'queued',
    "statusReason" TEXT,
    "error" TEXT,
    "summary" TEXT,
    "agentConfig" JSONB NOT NULL DEFAULT '{}',
    "durationMinutes" INTEGER NOT NULL,
    "idleTimeoutMinutes" INTEGER NOT NULL,
    "creditBudget" INTEGER NOT NULL DEFAULT 0,
    "creditsSpent" INTEGER NOT NULL DEFAULT 0,
    "costCents" INTEGER NOT NULL DEFAULT 0,
    "tokenHash" TEXT,
    "eventSeq" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "lastActivityAt" TIMESTAMP(3),
    "reachedTargetAt" TIMESTAMP(3),

    CONSTRAINT "sandboxes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_events" (
    "id" BIGSERIAL NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "EventKind" NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "reviewState" "ReviewState" NOT NULL DEFAULT 'pending',
    "reviewNote" TEXT,
    "reviewedById" TEXT,
    "reviewedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_injections" (
    "id" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" "PromptStatus" NOT NULL DEFAULT 'pending',
    "response" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),

    CONSTRAINT "prompt_injections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_emails" (
    "id" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbound_emails_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_payments" (
    "id" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "recipient" TEXT NOT NULL,
    "memo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbound_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pools" (
    "id" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "ledgerAccountId" TEXT NOT NULL,
    "yesTotal" BIGINT NOT NULL DEFAULT 0,
    "noTotal" BIGINT NOT NULL DEFAULT 0,
    "betCount" INTEGER NOT NULL DEFAULT 0,
    "status" "PoolStatus" NOT NULL DEFAULT 'open',
    "locksAt" TIMESTAMP(3),
    "lockReason" TEXT,
    "lockedAt" TIMESTAMP(3),
    "outcome" "BetSide",
    "rakeCents" BIGINT NOT NULL DEFAULT 0,
    "settledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bets" (
    "id" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "side" "BetSide" NOT NULL,
    "amount" INTEGER NOT NULL,
    "oddsAtPlacement" DOUBLE PRECISION NOT NULL,
    "payout" BIGINT,
    "settledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "accounts_userId_idx" ON "accounts"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_provider_providerAccountId_key" ON "accounts"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_sessionToken_key" ON "sessions"("sessionToken");

-- CreateIndex
CREATE INDEX "sessions_userId_idx" ON "sessions"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "verification_tokens_identifier_token_key" ON "verification_tokens"("identifier", "token");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_tokenHash_key" ON "api_tokens"("tokenHash");

-- CreateIndex
CREATE INDEX "api_tokens_userId_idx" ON "api_tokens"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_key_key" ON "ledger_accounts"("key");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_userId_key" ON "ledger_accounts"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transfers_idempotencyKey_key" ON "ledger_transfers"("idempotencyKey");

-- CreateIndex
CREATE INDEX "ledger_transfers_createdAt_idx" ON "ledger_transfers"("createdAt");

-- CreateIndex
CREATE INDEX "ledger_entries_accountId_id_idx" ON "ledger_entries"("accountId", "id");

-- CreateIndex
CREATE INDEX "ledger_entries_transferId_idx" ON "ledger_entries"("transferId");

-- CreateIndex
CREATE UNIQUE INDEX "agent_profiles_slug_key" ON "agent_profiles"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "sandboxes_tokenHash_key" ON "sandboxes"("tokenHash");

-- CreateIndex
CREATE INDEX "sandboxes_status_lastActivityAt_idx" ON "sandboxes"("status", "lastActivityAt");

-- CreateIndex
CREATE INDEX "sandboxes_createdById_createdAt_idx" ON "sandboxes"("createdById", "createdAt");

-- CreateIndex
CREATE INDEX "sandboxes_agentProfileId_status_idx" ON "sandboxes"("agentProfileId", "status");

-- CreateIndex
CREATE INDEX "sandboxes_goal_idx" ON "sandboxes"("goal");

-- CreateIndex
CREATE INDEX "sandboxes_createdAt_idx" ON "sandboxes"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "sandbox_events_sandboxId_seq_key" ON "sandbox_events"("sandboxId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_storageKey_key" ON "artifacts"("storageKey");

-- CreateIndex
CREATE INDEX "artifacts_sandboxId_createdAt_idx" ON "artifacts"("sandboxId", "createdAt");

-- CreateIndex
CREATE INDEX "prompt_injections_sandboxId_status_createdAt_idx" ON "prompt_injections"("sandboxId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "outbound_emails_sandboxId_createdAt_idx" ON "outbound_emails"("sandboxId", "createdAt");

-- CreateIndex
CREATE INDEX "outbound_payments_sandboxId_createdAt_idx" ON "outbound_payments"("sandboxId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "pools_sandboxId_key" ON "pools"("sandboxId");

-- CreateIndex
CREATE UNIQUE INDEX "pools_ledgerAccountId_key" ON "pools"("ledgerAccountId");

-- CreateIndex
CREATE INDEX "pools_status_idx" ON "pools"("status");

-- CreateIndex
CREATE INDEX "bets_poolId_createdAt_idx" ON "bets"("poolId", "createdAt");

-- CreateIndex
CREATE INDEX "bets_userId_createdAt_idx" ON "bets"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transferId_fkey" FOREIGN KEY ("transferId") REFERENCES "ledger_transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_agentProfileId_fkey" FOREIGN KEY ("agentProfileId") REFERENCES "agent_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sandbox_events" ADD CONSTRAINT "sandbox_events_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_reviewedById_fkey" FOREIGN KEY ("reviewedById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_injections" ADD CONSTRAINT "prompt_injections_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_injections" ADD CONSTRAINT "prompt_injections_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_emails" ADD CONSTRAINT "outbound_emails_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_payments" ADD CONSTRAINT "outbound_payments_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pools" ADD CONSTRAINT "pools_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bets" ADD CONSTRAINT "bets_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "pools"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bets" ADD CONSTRAINT "bets_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ─── Paddock money invariants ──────────────────────────────────────────────
-- Only accounts flagged allowNegative (the mints) may hold a negative balance.
ALTER TABLE "ledger_accounts"
  ADD CONSTRAINT "ledger_accounts_balance_floor" CHECK ("allowNegative" OR "balance" >= 0);
ALTER TABLE "ledger_entries"
  ADD CONSTRAINT "ledger_entries_amount_nonzero" CHECK ("amount" <> 0);
ALTER TABLE "bets" ADD CONSTRAINT "bets_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "pools" ADD CONSTRAINT "pools_totals_nonnegative" CHECK ("yesTotal" >= 0 AND "noTotal" >= 0);
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_credits_within_budget"
  CHECK ("creditsSpent" >= 0 AND "creditsSpent" <= "creditBudget");

-- The ledger is append-only: entries and transfers can be inserted, never changed or removed.
-- The body spells its semicolons as \073: the JS schema engine splits scripts on every semicolon.
CREATE FUNCTION paddock_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN RAISE EXCEPTION ''the ledger is append-only: % on % is not allowed'', TG_OP, TG_TABLE_NAME\073 END\073';

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION paddock_ledger_append_only();
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON "ledger_transfers"
  FOR EACH ROW EXECUTE FUNCTION paddock_ledger_append_only();

-- The named accounts money may come from or go to outside users, runs and pools.
INSERT INTO "ledger_accounts" ("id", "key", "kind", "allowNegative", "balance") VALUES
  ('acct_mint_signup', 'mint:signup', 'mint', true, 0),
  ('acct_mint_stripe', 'mint:stripe', 'mint', true, 0),
  ('acct_house_rake', 'house:rake', 'house', false, 0),
  ('acct_house_credits', 'house:credits-spent', 'house', false, 0);
