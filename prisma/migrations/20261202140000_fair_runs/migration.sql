-- Fair, verified runs.
-- A run's verifier: a command run inside its sandbox when the run ends, whose last number printed is
-- the progress of record. It comes from the agent profile (or an operator at launch).
ALTER TABLE "agent_profiles" ADD COLUMN "verifier" TEXT;
ALTER TABLE "sandboxes" ADD COLUMN "verifier" TEXT;
ALTER TABLE "sandboxes" ADD COLUMN "verifierOutput" TEXT;
ALTER TABLE "sandboxes" ADD COLUMN "verifiedProgress" DOUBLE PRECISION;
ALTER TABLE "sandboxes" ADD COLUMN "verifiedAt" TIMESTAMP(3);
-- Set when the agent reported completion and the verify job is deciding the outcome.
ALTER TABLE "sandboxes" ADD COLUMN "verifyRequestedAt" TIMESTAMP(3);

-- Users who have prompted the run, kept on the pool row: the bet statement reads it under the pool's
-- row lock (which the prompt transaction also takes), so a prompt and a bet by the same user cannot
-- both succeed. A plain lookup in prompt_injections would read the bet statement's older snapshot.
ALTER TABLE "pools" ADD COLUMN "steeredBy" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
