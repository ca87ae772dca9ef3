-- Runs belong to a workspace and have a visibility: `public` (the arena, every signed-in user) or
-- `workspace` (its members and site operators). Who may see a run: server/domain/workspaces/visibility.ts.
-- CreateEnum
CREATE TYPE "RunVisibility" AS ENUM ('workspace', 'public');

-- Every run so far was visible to everyone: existing runs stay public, in their creator's
-- personal workspace (migration 20261202180000_workspaces gave every user one).
ALTER TABLE "sandboxes" ADD COLUMN "workspaceId" TEXT,
ADD COLUMN "visibility" "RunVisibility" NOT NULL DEFAULT 'public';

UPDATE "sandboxes" s
   SET "workspaceId" = w."id"
  FROM "workspaces" w
 WHERE w."createdById" = s."createdById" AND w."personal" AND s."workspaceId" IS NULL;

ALTER TABLE "sandboxes" ALTER COLUMN "workspaceId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "sandboxes_visibility_createdAt_idx" ON "sandboxes"("visibility", "createdAt");

-- CreateIndex
CREATE INDEX "sandboxes_workspaceId_createdAt_idx" ON "sandboxes"("workspaceId", "createdAt");

-- AddForeignKey
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
