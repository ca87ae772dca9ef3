-- Settlement writes ONE transfer per pool (payout_<poolId> / refund_<poolId>, idempotency key
-- payout:<poolId> / refund:<poolId>): one debit of the pool's escrow for the total paid, and one
-- credit entry per paid bet on its bettor's account, carrying the bet's id in "betId".
-- "betId" has no foreign key on purpose: entries are append-only and permanent, while bets are
-- deleted with their sandbox (cascade). NULL on every other entry.
ALTER TABLE "ledger_entries" ADD COLUMN "betId" TEXT;

-- (transferId, betId) is unique: a settlement transfer pays each bet at most once. It replaces
-- the plain index on transferId, whose lookups its leading column serves. NULL betIds (all
-- other entries) never collide.
DROP INDEX "ledger_entries_transferId_idx";
CREATE UNIQUE INDEX "ledger_entries_transferId_betId_key" ON "ledger_entries"("transferId", "betId");
