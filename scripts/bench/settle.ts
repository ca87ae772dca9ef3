// npm run bench:settle — time settlePool on pools of 10,000 and 100,000 bets
// (BENCH_SETTLE_SIZES=10000,100000) spread over 1,000 bettors: a paid pool (YES wins, about
// half the bets are winners, so half get a credit entry in the pool's one payout transfer)
// and, at the largest size, a refund (every bet gets an entry). Bets are seeded set-based,
// then VACUUM ANALYZE brings the tables to the state autovacuum keeps them in. Target: ≤ 2 s for 100,000 bets.
// Runs on a throwaway database (scripts/bench/bench-env.ts), never your data.
import { prepareBenchEnv, fmt } from "./bench-env";

const SIZES = (process.env.BENCH_SETTLE_SIZES ?? "10000,100000").split(",").map(Number);

const env = await prepareBenchEnv("settle");
const { db } = await import("../../server/lib/db");
const { checkLedger } = await import("../../server/domain/ledger");
const { settlePool } = await import("../../server/domain/betting/settle-pool");
const { makeRun, randomBets, seedBets, seedUsers } = await import("../../server/domain/betting/fixtures");
const { closeAllRedis } = await import("../../server/lib/redis");

const users = await seedUsers(db, 1_000, 1_000_000_000_000);
console.log("bench:settle — settlePool, one transaction, set-based SQL");
let ok = true;
const largest = Math.max(...SIZES);
const cases = [
  ...SIZES.map((size) => ({ size, status: "succeeded" as const, label: "YES wins" })),
  { size: largest, status: "canceled" as const, label: "canceled, all refunded" },
];
for (const { size, status, label } of cases) {
  const run = await makeRun(db, { createdById: users[0]!, status: "running" });
  await seedBets(db, run, randomBets(users, size));
  await db.run.update({ where: { id: run.runId }, data: { status } });
  await db.$executeRawUnsafe("VACUUM ANALYZE bets, ledger_accounts, ledger_transfers, ledger_entries");
  const t0 = performance.now();
  const result = await settlePool(db, run.poolId);
  const ms = performance.now() - t0;
  const entries = await db.ledgerEntry.count({
    where: { transferId: { in: [`payout_${run.poolId}`, `refund_${run.poolId}`] }, betId: { not: null } },
  });
  const target = size === 100_000 ? (ms <= 2_000 ? " (target ≤ 2,000 ms: met)" : " (target ≤ 2,000 ms: MISSED)") : "";
  console.log(
    `${fmt(size, 0).padStart(7)} bets, ${label.padEnd(22)} ${fmt(ms, 0).padStart(6)} ms  ` +
      `${fmt(size / (ms / 1000), 0)} bets/s, ${entries} payout entries, ${result.state}${target}`,
  );
}
const violations = await checkLedger(db);
ok &&= violations.length === 0;
console.log(`ledger check: ${violations.length === 0 ? "clean" : JSON.stringify(violations)}`);

await db.$disconnect();
await closeAllRedis();
await env.cleanup();
process.exit(ok ? 0 : 1);
