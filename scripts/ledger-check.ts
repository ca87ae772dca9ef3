// Proves the ledger's invariants; exits non-zero on any violation.
import { checkLedger } from "../server/domain/ledger";
import { db } from "../server/lib/db";

const violations = await checkLedger(db);
const [stats] = await db.$queryRaw<{ transfers: bigint; entries: bigint; accounts: bigint }[]>`
  SELECT (SELECT count(*) FROM ledger_transfers) AS transfers,
         (SELECT count(*) FROM ledger_entries) AS entries,
         (SELECT count(*) FROM ledger_accounts) AS accounts`;
await db.$disconnect();
if (violations.length === 0) {
  console.log(`ledger ok: ${stats?.transfers} transfers, ${stats?.entries} entries, ${stats?.accounts} accounts balance`);
  process.exit(0);
}
console.error(`ledger check FAILED: ${violations.length} violation(s)`);
for (const v of violations) console.error(`  - ${v.rule}: ${v.detail}`);
process.exit(1);
