// npm run bench:bets — 50 clients (BENCH_CLIENTS) bet on ONE hot pool through the real HTTP tRPC
// endpoint (personal API tokens, Paddock's API in its own process) for 20 s (BENCH_SECONDS);
// prints bets/s, latency p50/p99, the CPU each process spent per bet, how many bets each SQL
// statement carried, and the ledger check. Then the same number of stake transfers is written
// straight to PostgreSQL by a minimal pg script on the same pool, one transaction per bet — the
// ceiling of any design that commits bets one at a time, since the pool's row lock is held
// across every commit — and the ratio of the two. Paddock's API groups a pool's concurrent bets
// into one statement (server/domain/betting/place-bet-sql.ts), which is how it passes that ceiling.
// Runs on a throwaway database (scripts/bench/bench-env.ts), never your data.
import os from "node:os";
import pg from "pg";
import { pgConnectionOptions } from "../../server/lib/pg-options";
import { prepareBenchEnv, percentile, fmt, pidsWhere, processCpu } from "./bench-env";
import { spawnServer } from "./spawn-server";
import { betClients } from "./post-bet";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

const env = await prepareBenchEnv("bets");
const { db } = await import("../../server/lib/db");
const { createApiToken } = await import("../../server/domain/users");
const { checkLedger } = await import("../../server/domain/ledger");
const { makeRun, seedUsers } = await import("../../server/domain/betting/fixtures");
const { closeAllRedis } = await import("../../server/lib/redis");

const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? 1);
const servers = await Promise.all(Array.from({ length: API_PROCESSES }, () => spawnServer("api")));
const users = await seedUsers(db, CLIENTS, 1_000_000_000_000);
const tokens = await Promise.all(users.map(async (id) => (await createApiToken(db, id, "bench")).token));
// Created by a user who does not bet: a run's creator may not bet on it.
const [owner] = await seedUsers(db, 1, 1);
const run = await makeRun(db, { createdById: owner!, status: "running" });

// A keep-alive connection per client, through the load generators' lean HTTP/1.1 client (its file
// says why); client i talks to API process i mod API_PROCESSES, as a load balancer would spread them.
const clients = await betClients(
  servers.map((s) => new URL(`${s.url}/trpc/betting.placeBet`)),
  CLIENTS,
);

function bet(token: string, client: number): Promise<{ ok: boolean; ms: number }> {
  const body = JSON.stringify({
    json: { runId: run.runId, side: Math.random() < 0.5 ? "yes" : "no", amount: 100 + Math.floor(Math.random() * 900) },
  });
  const t0 = performance.now();
  return clients.post(client, token, body).then((status) => ({ ok: status === 200, ms: performance.now() - t0 }));
}

/** CPU milliseconds used so far by this process, the API process and every PostgreSQL process (Linux /proc). */
function cpuTimes(): { loadGenerator: number; api: number; postgres: number } {
  let postgres = 0;
  for (const pid of pidsWhere((name) => name === "postgres")) postgres += processCpu(pid)?.ms ?? 0;
  const self = process.cpuUsage();
  return {
    loadGenerator: (self.user + self.system) / 1000,
    api: servers.reduce((sum, s) => sum + (processCpu(s.child.pid!)?.ms ?? 0), 0),
    postgres,
  };
}

/** Updates of the pool row so far: one per statement that accepted bets. */
async function poolRowUpdates(): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT n_tup_upd AS n FROM pg_stat_user_tables WHERE relname = 'pools'`;
  return Number(row?.n ?? 0);
}

// Warm-up under the same load: connections, prepared statements, and the JIT, which takes a few
// seconds of traffic to optimize the hot path; the figures are a running server's, not a cold one's.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const warmUntil = Date.now() + WARMUP_SECONDS * 1000;
await Promise.all(
  tokens.map(async (t, i) => {
    do await bet(t, i);
    while (Date.now() < warmUntil);
  }),
);

console.log(`bench:bets — ${CLIENTS} clients, one hot pool, ${SECONDS} s, HTTP tRPC betting.placeBet`);
const updatesBefore = await poolRowUpdates();
const cpuBefore = cpuTimes();
const latencies: number[] = [];
/** Per second of the run: requests completed and the slowest of them (BENCH_VERBOSE prints it). */
const perSecond: { n: number; max: number }[] = [];
let accepted = 0;
let failed = 0;
const deadline = Date.now() + SECONDS * 1000;
const started = performance.now();
await Promise.all(
  tokens.map(async (token, i) => {
    while (Date.now() < deadline) {
      const r = await bet(token, i);
      latencies.push(r.ms);
      const second = (perSecond[Math.floor((performance.now() - started) / 1000)] ??= { n: 0, max: 0 });
      second.n += 1;
      second.max = Math.max(second.max, r.ms);
      if (r.ok) accepted += 1;
      else failed += 1;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const cpu = cpuTimes();
latencies.sort((a, b) => a - b);
const httpRate = accepted / elapsed;

const pool = await db.pool.findUniqueOrThrow({ where: { id: run.poolId } });
const [sums] = await db.$queryRaw<{ n: number; total: bigint }[]>`
  SELECT count(*)::int AS n, coalesce(sum(amount), 0)::bigint AS total FROM bets WHERE "poolId" = ${run.poolId}`;
const totalsMatch = pool.betCount === sums!.n && pool.yesTotal + pool.noTotal === sums!.total;
const violations = await checkLedger(db);
console.log(`bets accepted:   ${accepted} in ${fmt(elapsed)} s (failed requests: ${failed})`);
console.log(`throughput:      ${fmt(httpRate, 0)} bets/s (target ≥ 1,000)`);
console.log(`request latency: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms (target p99 ≤ 50 ms)`);
const over50 = latencies.filter((ms) => ms > 50).length;
console.log(`over 50 ms:      ${over50} requests (${fmt((100 * over50) / Math.max(latencies.length, 1), 2)}%)`);
if (process.env.BENCH_VERBOSE) {
  console.log([90, 95, 98, 99, 99.5, 99.9, 100].map((p) => `p${p} ${fmt(percentile(latencies, p))}`).join(", "));
  console.log(`per second (requests/slowest ms): ${perSecond.map((s) => `${s.n}/${fmt(s.max, 0)}`).join(" ")}`);
}
const perBet = (ms: number) => `${fmt(ms / Math.max(accepted + failed, 1), 3)} ms`;
console.log(
  `CPU per bet:     load generator ${perBet(cpu.loadGenerator - cpuBefore.loadGenerator)}, API process ${perBet(cpu.api - cpuBefore.api)}, ` +
    `PostgreSQL ${perBet(cpu.postgres - cpuBefore.postgres)} (${os.cpus().length} cores)`,
);
console.log(
  `pool totals == sum of bets: ${totalsMatch ? "yes" : "NO"}; ledger check: ${violations.length === 0 ? "clean" : JSON.stringify(violations)}`,
);
clients.close();
await Promise.all(servers.map((s) => s.stop()));
// Table statistics reach pg_stat_user_tables when a backend exits or within a second.
await new Promise((r) => setTimeout(r, 1_500));
const statements = (await poolRowUpdates()) - updatesBefore;
console.log(
  `bets per statement: ${fmt(accepted / Math.max(statements, 1))} (${statements} statements; each API process groups a pool's concurrent bets)`,
);

// One bet per transaction: the same stake transfers (pool totals, user debit, escrow credit,
// transfer with its two entries, bet row) as one minimal statement per bet, from as many pg
// connections.
const raw = await rawTransfers(Math.max(accepted, 1000));
console.log(
  `minimal pg:      ${raw.done} transfers in ${fmt(raw.seconds)} s = ${fmt(raw.done / raw.seconds, 0)} transfers/s on the same pool, one per transaction`,
);
console.log(`ratio:           HTTP bets/s = ${fmt((100 * httpRate) / (raw.done / raw.seconds), 0)}% of the minimal pg script`);
const after = await checkLedger(db);
console.log(`ledger check after both: ${after.length === 0 ? "clean" : JSON.stringify(after)}`);

async function rawTransfers(count: number): Promise<{ done: number; seconds: number }> {
  const accounts = await db.ledgerAccount.findMany({ where: { userId: { in: users } }, select: { id: true, userId: true } });
  const clients = await Promise.all(
    accounts.map(async () => {
      const c = new pg.Client(pgConnectionOptions(env.databaseUrl));
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, i) => {
      const { id: accountId, userId } = accounts[i]!;
      while (next < count) {
        const n = next++;
        await c.query({
          name: "raw_bet",
          text: `WITH p AS (UPDATE pools SET "yesTotal" = "yesTotal" + $3, "betCount" = "betCount" + 1 WHERE id = $1),
                      u AS (UPDATE ledger_accounts SET balance = balance - $3 WHERE id = $2),
                      e AS (UPDATE ledger_accounts SET balance = balance + $3 WHERE id = $4),
                      t AS (INSERT INTO ledger_transfers (id, kind) VALUES ($5, 'bet')),
                      en AS (INSERT INTO ledger_entries ("transferId", "accountId", amount) VALUES ($5, $2, -$3::bigint), ($5, $4, $3))
                 INSERT INTO bets (id, "poolId", "userId", side, amount, "oddsAtPlacement") VALUES ($5, $1, $6, 'yes', $3, 1)`,
          values: [run.poolId, accountId, 100, run.escrowId, `raw_${n}`, userId],
        });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return { done: count, seconds };
}

await db.$disconnect();
await closeAllRedis();
await env.cleanup();
process.exit(totalsMatch && violations.length === 0 && failed === 0 ? 0 : 1);
