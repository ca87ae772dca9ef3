-- What a builtin agent's run is given for a task (metric, target, agent configuration), the claim
-- queue's partial index, and room for several tasks at once on the site-wide builtin agents.

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "metric" TEXT NOT NULL DEFAULT 'steps',
ADD COLUMN "targetValue" DOUBLE PRECISION NOT NULL DEFAULT 3,
ADD COLUMN "agentConfig" JSONB NOT NULL DEFAULT '{}';

-- The queue external agents claim from (highest priority first, oldest first), ready tasks only.
CREATE INDEX "tasks_ready_queue_idx" ON "tasks"("workspaceId", "priority" DESC, "createdAt") WHERE "status" = 'ready';

UPDATE "agent_profiles" SET "maxConcurrentTasks" = 10 WHERE "workspaceId" IS NULL AND "kind" = 'builtin';
