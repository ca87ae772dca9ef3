-- Pipelines: runs of a pipeline template (a task per step, tasks.pipelineId now a foreign key),
-- the external asynchronous jobs their steps wait on (one row per attempt), and batches of one
-- template over many inputs, started once per workspace and idempotency key.
-- CreateEnum
CREATE TYPE "PipelineStatus" AS ENUM ('running', 'succeeded', 'failed', 'canceled');

-- CreateEnum
CREATE TYPE "ExternalJobStatus" AS ENUM ('starting', 'waiting', 'succeeded', 'failed', 'timed_out');

-- CreateEnum
CREATE TYPE "ExternalJobSource" AS ENUM ('webhook', 'poll', 'timeout');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('running', 'completed');

-- CreateTable
CREATE TABLE "pipelines" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "templateKey" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "status" "PipelineStatus" NOT NULL DEFAULT 'running',
    "failedStepKey" TEXT,
    "error" TEXT,
    "batchId" TEXT,
    "batchIndex" INTEGER,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "pipelines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_external_jobs" (
    "id" TEXT NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "maxAttempts" INTEGER NOT NULL,
    "service" TEXT NOT NULL,
    "externalId" TEXT,
    "status" "ExternalJobStatus" NOT NULL DEFAULT 'starting',
    "output" JSONB,
    "error" TEXT,
    "completedBy" "ExternalJobSource",
    "startAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "timeoutAt" TIMESTAMP(3) NOT NULL,
    "pollEveryMs" INTEGER NOT NULL,
    "nextPollAt" TIMESTAMP(3),
    "polls" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "pipeline_external_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_batches" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "templateKey" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "inputsCount" INTEGER NOT NULL,
    "pendingCount" INTEGER NOT NULL DEFAULT 0,
    "runningCount" INTEGER NOT NULL DEFAULT 0,
    "doneCount" INTEGER NOT NULL DEFAULT 0,
    "failedCount" INTEGER NOT NULL DEFAULT 0,
    "status" "BatchStatus" NOT NULL DEFAULT 'running',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "pipeline_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "pipelines_projectId_createdAt_idx" ON "pipelines"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "pipelines_status_idx" ON "pipelines"("status");

-- CreateIndex
CREATE UNIQUE INDEX "pipelines_batchId_batchIndex_key" ON "pipelines"("batchId", "batchIndex");

-- CreateIndex
CREATE INDEX "pipeline_external_jobs_status_nextPollAt_idx" ON "pipeline_external_jobs"("status", "nextPollAt");

-- CreateIndex
CREATE UNIQUE INDEX "pipeline_external_jobs_taskId_attempt_key" ON "pipeline_external_jobs"("taskId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "pipeline_external_jobs_service_externalId_key" ON "pipeline_external_jobs"("service", "externalId");

-- CreateIndex
CREATE INDEX "pipeline_batches_projectId_createdAt_idx" ON "pipeline_batches"("projectId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "pipeline_batches_workspaceId_idempotencyKey_key" ON "pipeline_batches"("workspaceId", "idempotencyKey");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "pipeline_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_external_jobs" ADD CONSTRAINT "pipeline_external_jobs_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_external_jobs" ADD CONSTRAINT "pipeline_external_jobs_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_batches" ADD CONSTRAINT "pipeline_batches_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_batches" ADD CONSTRAINT "pipeline_batches_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_batches" ADD CONSTRAINT "pipeline_batches_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

