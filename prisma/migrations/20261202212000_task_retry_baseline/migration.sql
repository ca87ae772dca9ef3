-- task.retry gives a failed task a fresh retry budget: attempts up to this number no longer count.
-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "retryBaseline" INTEGER NOT NULL DEFAULT 0;
