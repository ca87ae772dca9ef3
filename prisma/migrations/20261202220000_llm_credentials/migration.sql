-- The LLM credentials pool: OpenAI-compatible endpoints and keys the bridge's LLM calls rotate
-- through (server/domain/llm/), and one usage row per answered call of a run.
-- Keys are stored sealed (AES-256-GCM, server/lib/secret-box.ts), never in clear.
-- CreateTable
CREATE TABLE "llm_credentials" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "apiKeySealed" TEXT,
    "apiKeyHint" TEXT,
    "priority" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "validFrom" TIMESTAMP(3),
    "validUntil" TIMESTAMP(3),
    "cooldownUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "requestCount" INTEGER NOT NULL DEFAULT 0,
    "rateLimitCount" INTEGER NOT NULL DEFAULT 0,
    "tokenCount" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "llm_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "llm_usages" (
    "id" BIGSERIAL NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "agentProfileId" TEXT NOT NULL,
    "credentialId" TEXT,
    "credentialName" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "promptTokens" INTEGER NOT NULL,
    "completionTokens" INTEGER NOT NULL,
    "totalTokens" INTEGER NOT NULL,
    "estimated" BOOLEAN NOT NULL DEFAULT false,
    "costCents" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_usages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "llm_credentials_name_key" ON "llm_credentials"("name");

-- CreateIndex
CREATE INDEX "llm_credentials_priority_createdAt_idx" ON "llm_credentials"("priority", "createdAt");

-- CreateIndex
CREATE INDEX "llm_usages_sandboxId_createdAt_idx" ON "llm_usages"("sandboxId", "createdAt");

-- CreateIndex
CREATE INDEX "llm_usages_agentProfileId_createdAt_idx" ON "llm_usages"("agentProfileId", "createdAt");

-- CreateIndex
CREATE INDEX "llm_usages_credentialId_createdAt_idx" ON "llm_usages"("credentialId", "createdAt");

-- AddForeignKey
ALTER TABLE "llm_usages" ADD CONSTRAINT "llm_usages_sandboxId_fkey" FOREIGN KEY ("sandboxId") REFERENCES "sandboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_usages" ADD CONSTRAINT "llm_usages_agentProfileId_fkey" FOREIGN KEY ("agentProfileId") REFERENCES "agent_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_usages" ADD CONSTRAINT "llm_usages_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "llm_credentials"("id") ON DELETE SET NULL ON UPDATE CASCADE;
