-- The claim orders ready tasks by priority, age and id: the index carries all three, so taking the
-- next task reads one index entry instead of sorting every ready task created in the same instant.
DROP INDEX "tasks_ready_queue_idx";

CREATE INDEX "tasks_ready_queue_idx" ON "tasks"("workspaceId", "priority" DESC, "createdAt", "id") WHERE "status" = 'ready';
