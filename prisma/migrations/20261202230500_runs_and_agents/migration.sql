-- Runs are runs, sandboxes are the providers' machines, agent profiles are agents.
-- Renames only (tables, columns, their indexes, constraints and sequence, the status enum): no
-- row is copied, dropped or rewritten. Written by the naming codemod from the catalog.

-- Enums
ALTER TYPE "SandboxStatus" RENAME TO "RunStatus";

-- Tables
ALTER TABLE "agent_profiles" RENAME TO "agents";
ALTER TABLE "sandbox_events" RENAME TO "run_events";
ALTER TABLE "sandboxes" RENAME TO "runs";

-- Columns
ALTER TABLE "artifacts" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "llm_usages" RENAME COLUMN "agentProfileId" TO "agentId";
ALTER TABLE "llm_usages" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "outbound_emails" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "outbound_payments" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "pools" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "prompt_injections" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "run_events" RENAME COLUMN "sandboxId" TO "runId";
ALTER TABLE "runs" RENAME COLUMN "agentProfileId" TO "agentId";

-- Sequences
ALTER SEQUENCE "sandbox_events_id_seq" RENAME TO "run_events_id_seq";

-- Constraints (primary keys and unique constraints rename their index too)
ALTER TABLE "agents" RENAME CONSTRAINT "agent_profiles_createdById_fkey" TO "agents_createdById_fkey";
ALTER TABLE "agents" RENAME CONSTRAINT "agent_profiles_pkey" TO "agents_pkey";
ALTER TABLE "agents" RENAME CONSTRAINT "agent_profiles_workspaceId_fkey" TO "agents_workspaceId_fkey";
ALTER TABLE "artifacts" RENAME CONSTRAINT "artifacts_sandboxId_fkey" TO "artifacts_runId_fkey";
ALTER TABLE "llm_usages" RENAME CONSTRAINT "llm_usages_agentProfileId_fkey" TO "llm_usages_agentId_fkey";
ALTER TABLE "llm_usages" RENAME CONSTRAINT "llm_usages_sandboxId_fkey" TO "llm_usages_runId_fkey";
ALTER TABLE "outbound_emails" RENAME CONSTRAINT "outbound_emails_sandboxId_fkey" TO "outbound_emails_runId_fkey";
ALTER TABLE "outbound_payments" RENAME CONSTRAINT "outbound_payments_sandboxId_fkey" TO "outbound_payments_runId_fkey";
ALTER TABLE "pools" RENAME CONSTRAINT "pools_sandboxId_fkey" TO "pools_runId_fkey";
ALTER TABLE "prompt_injections" RENAME CONSTRAINT "prompt_injections_sandboxId_fkey" TO "prompt_injections_runId_fkey";
ALTER TABLE "run_events" RENAME CONSTRAINT "sandbox_events_pkey" TO "run_events_pkey";
ALTER TABLE "run_events" RENAME CONSTRAINT "sandbox_events_sandboxId_fkey" TO "run_events_runId_fkey";
ALTER TABLE "runs" RENAME CONSTRAINT "sandboxes_agentProfileId_fkey" TO "runs_agentId_fkey";
ALTER TABLE "runs" RENAME CONSTRAINT "sandboxes_createdById_fkey" TO "runs_createdById_fkey";
ALTER TABLE "runs" RENAME CONSTRAINT "sandboxes_credits_within_budget" TO "runs_credits_within_budget";
ALTER TABLE "runs" RENAME CONSTRAINT "sandboxes_pkey" TO "runs_pkey";
ALTER TABLE "runs" RENAME CONSTRAINT "sandboxes_workspaceId_fkey" TO "runs_workspaceId_fkey";

-- Indexes
ALTER INDEX "agent_profiles_slug_key" RENAME TO "agents_slug_key";
ALTER INDEX "agent_profiles_workspaceId_active_idx" RENAME TO "agents_workspaceId_active_idx";
ALTER INDEX "artifacts_sandboxId_createdAt_idx" RENAME TO "artifacts_runId_createdAt_idx";
ALTER INDEX "llm_usages_agentProfileId_createdAt_idx" RENAME TO "llm_usages_agentId_createdAt_idx";
ALTER INDEX "llm_usages_sandboxId_createdAt_idx" RENAME TO "llm_usages_runId_createdAt_idx";
ALTER INDEX "outbound_emails_sandboxId_createdAt_idx" RENAME TO "outbound_emails_runId_createdAt_idx";
ALTER INDEX "outbound_payments_sandboxId_createdAt_idx" RENAME TO "outbound_payments_runId_createdAt_idx";
ALTER INDEX "pools_sandboxId_key" RENAME TO "pools_runId_key";
ALTER INDEX "prompt_injections_sandboxId_status_createdAt_idx" RENAME TO "prompt_injections_runId_status_createdAt_idx";
ALTER INDEX "sandbox_events_sandboxId_seq_key" RENAME TO "run_events_runId_seq_key";
ALTER INDEX "sandboxes_agentProfileId_status_idx" RENAME TO "runs_agentId_status_idx";
ALTER INDEX "sandboxes_createdAt_id_idx" RENAME TO "runs_createdAt_id_idx";
ALTER INDEX "sandboxes_createdById_createdAt_idx" RENAME TO "runs_createdById_createdAt_idx";
ALTER INDEX "sandboxes_goal_idx" RENAME TO "runs_goal_idx";
ALTER INDEX "sandboxes_status_lastActivityAt_idx" RENAME TO "runs_status_lastActivityAt_idx";
ALTER INDEX "sandboxes_tokenHash_key" RENAME TO "runs_tokenHash_key";
ALTER INDEX "sandboxes_visibility_createdAt_idx" RENAME TO "runs_visibility_createdAt_idx";
ALTER INDEX "sandboxes_workspaceId_createdAt_id_idx" RENAME TO "runs_workspaceId_createdAt_id_idx";
