-- sandbox.list pages runs newest first by ("createdAt", "id") and continues after a cursor with a
-- row comparison on that pair (server/domain/sandbox/queries.ts). Indexes that end in "id" give the
-- order and the cursor's bound straight from the index, without a sort of the rows sharing a
-- timestamp. They replace the ones on "createdAt" alone, whose queries they also serve.
-- Measured by npm run bench:arena (README, Benchmarks).

-- Every run in order: the arena of site operators and admins, and the scan that the visibility
-- rule's semi-join filters for everyone else.
DROP INDEX "sandboxes_createdAt_idx";
CREATE INDEX "sandboxes_createdAt_id_idx" ON "sandboxes"("createdAt", "id");

-- One workspace's runs in order: the list filtered to the current workspace.
DROP INDEX "sandboxes_workspaceId_createdAt_idx";
CREATE INDEX "sandboxes_workspaceId_createdAt_id_idx" ON "sandboxes"("workspaceId", "createdAt", "id");
