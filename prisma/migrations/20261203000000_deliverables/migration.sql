-- Deliverables (versions, review decisions, client ratings), their SLA clocks, the project activity
-- feed, projects shared with clients, the project message thread, and the
-- agents a task must not go to again.

CREATE TYPE "DeliverableStatus" AS ENUM ('draft', 'review', 'approved', 'delivered', 'rejected');
CREATE TYPE "SlaKind" AS ENUM ('first_response', 'delivery', 'revision');
CREATE TYPE "SlaState" AS ENUM ('on_track', 'at_risk', 'breached', 'met');

ALTER TABLE "projects" ADD COLUMN "slaPolicy" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "tasks" ADD COLUMN "excludedAgentIds" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "agents" ADD COLUMN "ratingSum" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "ratingCount" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "deliverables" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" "DeliverableStatus" NOT NULL DEFAULT 'review',
    "latestVersion" INTEGER NOT NULL DEFAULT 1,
    "revisionCount" INTEGER NOT NULL DEFAULT 0,
    "agentId" TEXT,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMP(3),
    "deliveredById" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "rejectedById" TEXT,
    "rejectedAt" TIMESTAMP(3),
    "rejectReason" TEXT,
    "rating" INTEGER,
    "ratingComment" TEXT,
    "ratedById" TEXT,
    "ratedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "deliverables_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "deliverables_rating_check" CHECK ("rating" IS NULL OR "rating" BETWEEN 1 AND 5)
);
CREATE UNIQUE INDEX "deliverables_taskId_key" ON "deliverables"("taskId");
CREATE INDEX "deliverables_workspaceId_status_updatedAt_idx" ON "deliverables"("workspaceId", "status", "updatedAt");
CREATE INDEX "deliverables_projectId_status_idx" ON "deliverables"("projectId", "status");

CREATE TABLE "deliverable_versions" (
    "id" TEXT NOT NULL,
    "deliverableId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "taskId" TEXT NOT NULL,
    "attemptId" TEXT,
    "runId" TEXT,
    "agentId" TEXT,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "output" JSONB,
    "files" JSONB NOT NULL DEFAULT '[]',
    "status" "DeliverableStatus" NOT NULL DEFAULT 'review',
    "notes" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "deliverable_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "deliverable_versions_attemptId_key" ON "deliverable_versions"("attemptId");
CREATE UNIQUE INDEX "deliverable_versions_deliverableId_number_key" ON "deliverable_versions"("deliverableId", "number");
CREATE INDEX "deliverable_versions_taskId_idx" ON "deliverable_versions"("taskId");

CREATE TABLE "deliverable_slas" (
    "id" TEXT NOT NULL,
    "deliverableId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" "SlaKind" NOT NULL,
    "state" "SlaState" NOT NULL DEFAULT 'on_track',
    "startsAt" TIMESTAMP(3) NOT NULL,
    "atRiskAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "metAt" TIMESTAMP(3),
    "atRiskSince" TIMESTAMP(3),
    "breachedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "deliverable_slas_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "deliverable_slas_state_dueAt_idx" ON "deliverable_slas"("state", "dueAt");
CREATE INDEX "deliverable_slas_deliverableId_kind_idx" ON "deliverable_slas"("deliverableId", "kind");
CREATE INDEX "deliverable_slas_workspaceId_state_idx" ON "deliverable_slas"("workspaceId", "state");

CREATE TABLE "project_activities" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "actorId" TEXT,
    "kind" TEXT NOT NULL,
    "subjectId" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "clientVisible" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "project_activities_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "project_activities_projectId_createdAt_idx" ON "project_activities"("projectId", "createdAt");

CREATE TABLE "project_shares" (
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "project_shares_pkey" PRIMARY KEY ("projectId", "userId")
);
CREATE INDEX "project_shares_userId_idx" ON "project_shares"("userId");

CREATE TABLE "project_messages" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "project_messages_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "project_messages_projectId_createdAt_idx" ON "project_messages"("projectId", "createdAt");

ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_approvedById_fkey" FOREIGN KEY ("approvedById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_deliveredById_fkey" FOREIGN KEY ("deliveredById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_rejectedById_fkey" FOREIGN KEY ("rejectedById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverables" ADD CONSTRAINT "deliverables_ratedById_fkey" FOREIGN KEY ("ratedById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_deliverableId_fkey" FOREIGN KEY ("deliverableId") REFERENCES "deliverables"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_attemptId_fkey" FOREIGN KEY ("attemptId") REFERENCES "task_attempts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliverable_versions" ADD CONSTRAINT "deliverable_versions_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "deliverable_slas" ADD CONSTRAINT "deliverable_slas_deliverableId_fkey" FOREIGN KEY ("deliverableId") REFERENCES "deliverables"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliverable_slas" ADD CONSTRAINT "deliverable_slas_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "project_activities" ADD CONSTRAINT "project_activities_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_activities" ADD CONSTRAINT "project_activities_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_activities" ADD CONSTRAINT "project_activities_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "project_shares" ADD CONSTRAINT "project_shares_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_shares" ADD CONSTRAINT "project_shares_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_shares" ADD CONSTRAINT "project_shares_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "project_messages" ADD CONSTRAINT "project_messages_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_messages" ADD CONSTRAINT "project_messages_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "project_messages" ADD CONSTRAINT "project_messages_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
