// npm run bench:arena — p50/p95/p99 of run.list (the arena's list) with 100,000 runs
// (BENCH_RUNS) across 1,000 workspaces (BENCH_WORKSPACES), one run in 10 public
// (BENCH_PUBLIC_EVERY), for:
//   (a) a user who is a member of 5 workspaces (BENCH_MEMBER_OF), no filter: public runs and theirs;
//   (b) the same user with the workspace filter: one of their workspaces;
//   (c) the public arena: a user in no workspace;
// each beside the same call by a site admin, whose list has no visibility predicate (the rule lets
// admins see every run), so the difference is what the visibility rule costs. Calls ask for the
// arena's page of 24: half the first page, half a page further down (a cursor from the first 40
// pages), measured in-process through the tRPC caller and over HTTP against the API in its own
// process (bearer tokens), like bench:detail. Target: p99 ≤ 20 ms in-process. Beside the in-process
// latencies it prints the CPU this process spent per call, and the machine's load average: on a
// shared machine the latency follows the load, the CPU per call much less.
//
// The data set is written by a few INSERT … SELECT generate_series statements into a throwaway
// database (bench-env.ts). BENCH_CALLS (default 600) calls per case and transport;
// BENCH_EXPLAIN=1 prints PostgreSQL's plan of each case's page query.
import os from "node:os";
import { prepareBenchEnv, percentile, fmt } from "./bench-env";
import { spawnServer } from "./spawn-server";

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 1_000);
const MEMBER_OF = Number(process.env.BENCH_MEMBER_OF ?? 5);
const PUBLIC_EVERY = Number(process.env.BENCH_PUBLIC_EVERY ?? 10);
const CALLS = Number(process.env.BENCH_CALLS ?? 600);
const PAGE = 24;
const CURSOR_PAGES = 40;
const P99_TARGET_MS = 20;

const env = await prepareBenchEnv("arena");
const { db } = await import("../../server/lib/db");
const { createApiToken } = await import("../../server/domain/users");
const { createCaller } = await import("../../server/trpc/root");
const { closeAllRedis } = await import("../../server/lib/redis");
const { closePgPool } = await import("../../server/lib/pg");

// ───────────────────────── the data set ─────────────────────────

const t0 = performance.now();
const memberWorkspaces = Array.from({ length: MEMBER_OF }, (_, i) => `ws_${1 + Math.floor(((i + 0.5) * WORKSPACES) / MEMBER_OF)}`);
const seed: [string, ...unknown[]][] = [
  [
    `
    INSERT INTO agents (id, slug, name, model)
    SELECT 'prof_' || g, 'bench-' || g, 'Bench ' || g, 'bench-model-' || (g % 4) FROM generate_series(1, 8) g`,
  ],
  // Workspace owners, and a pool of users that fill each workspace to four members.
  [
    `
    INSERT INTO users (id, email, name, "updatedAt")
    SELECT 'user_' || g, 'user' || g || '@bench.test', 'User ' || g, now() FROM generate_series(1, ${WORKSPACES * 4}) g`,
  ],
  [
    `
    INSERT INTO users (id, email, name, role, "updatedAt") VALUES
      ('bench_member', 'member@bench.test', 'Member of ${MEMBER_OF}', 'member', now()),
      ('bench_public', 'public@bench.test', 'In no workspace', 'member', now()),
      ('bench_admin', 'admin@bench.test', 'Site admin', 'admin', now())`,
  ],
  [
    `
    INSERT INTO workspaces (id, name, slug, "createdById", "updatedAt")
    SELECT 'ws_' || g, 'Team ' || g, 'team-' || g, 'user_' || g, now() FROM generate_series(1, ${WORKSPACES}) g`,
  ],
  [
    `
    INSERT INTO workspace_members (id, "workspaceId", "userId", role, "updatedAt")
    SELECT 'wm_' || g || '_' || k, 'ws_' || g,
           'user_' || CASE WHEN k = 0 THEN g ELSE ${WORKSPACES} + 1 + (g * 3 + k * 7919) % (${WORKSPACES * 3}) END,
           (CASE k WHEN 0 THEN 'owner' WHEN 1 THEN 'admin' ELSE 'member' END)::"WorkspaceRole", now()
      FROM generate_series(1, ${WORKSPACES}) g CROSS JOIN generate_series(0, 3) k
    ON CONFLICT DO NOTHING`,
  ],
  [
    `
    INSERT INTO workspace_members (id, "workspaceId", "userId", role, "updatedAt")
    SELECT 'wm_bench_' || w, w, 'bench_member', 'member', now() FROM unnest($1::text[]) w`,
    memberWorkspaces,
  ],
  // One run a minute going back ~70 days, spread evenly over the workspaces; 1 in 50 still running.
  [
    `
    INSERT INTO runs (id, goal, metric, "targetValue", "currentProgress", "agentId", status, "durationMinutes",
                           "idleTimeoutMinutes", "createdById", "createdAt", "updatedAt", "startedAt", "finishedAt", "workspaceId", visibility)
    SELECT 'run_' || g, 'goal ' || (g % 500), 'points', 100, g % 100, 'prof_' || (1 + g % 8),
           (CASE WHEN g % 50 = 0 THEN 'running' WHEN g % 4 = 0 THEN 'failed' WHEN g % 7 = 0 THEN 'expired' ELSE 'succeeded' END)::"RunStatus",
           60, 15, 'user_' || w, t, t, t, CASE WHEN g % 50 = 0 THEN NULL ELSE t + interval '1 hour' END, 'ws_' || w,
           (CASE WHEN hashint4(g) % ${PUBLIC_EVERY} = 0 THEN 'public' ELSE 'workspace' END)::"RunVisibility"
      FROM generate_series(1, ${RUNS}) g,
           LATERAL (SELECT 1 + (g * 7) % ${WORKSPACES}, now() - make_interval(secs => (${RUNS} - g) * 60 + (hashint4(g) & 31))) AS c(w, t)`,
  ],
  [
    `
    INSERT INTO pools (id, "runId", "ledgerAccountId", status, "yesTotal", "noTotal", "betCount")
    SELECT 'pool_' || id, id, 'escrow_' || id, (CASE WHEN status = 'running' THEN 'open' ELSE 'settled' END)::"PoolStatus", 1000, 500, 3
      FROM runs`,
  ],
];
for (const [sql, ...params] of seed) await db.$executeRawUnsafe(sql, ...params);
// As a database in steady state: statistics gathered and the visibility map set (autovacuum's work).
await db.$executeRawUnsafe(`VACUUM ANALYZE`);
const counts = await db.$queryRawUnsafe<{ runs: bigint; public: bigint; mine: bigint }[]>(`
  SELECT count(*) AS runs, count(*) FILTER (WHERE visibility = 'public') AS public,
         count(*) FILTER (WHERE "workspaceId" IN (SELECT "workspaceId" FROM workspace_members WHERE "userId" = 'bench_member')) AS mine
    FROM runs`);
const { runs, public: publicRuns, mine } = counts[0]!;
console.log(
  `bench:arena — ${Number(runs).toLocaleString()} runs in ${WORKSPACES.toLocaleString()} workspaces, ${Number(publicRuns).toLocaleString()} public; ` +
    `the member's ${MEMBER_OF} workspaces hold ${Number(mine).toLocaleString()} (written in ${fmt((performance.now() - t0) / 1000)} s)`,
);

// ───────────────────────── the cases ─────────────────────────

interface Viewer {
  id: string;
  role: "member" | "admin";
}
interface ListInput {
  workspaceId?: string;
  scope?: "arena" | "workspace";
  cursor?: string;
  limit: number;
}
const member: Viewer = { id: "bench_member", role: "member" };
const inNoWorkspace: Viewer = { id: "bench_public", role: "member" };
const admin: Viewer = { id: "bench_admin", role: "admin" };
const cases: { name: string; viewer: Viewer; input: Omit<ListInput, "limit" | "cursor"> }[] = [
  { name: `(a) member of ${MEMBER_OF}, no filter`, viewer: member, input: {} },
  { name: "(b) member, arena from a workspace", viewer: member, input: { workspaceId: memberWorkspaces[0]! } },
  { name: "(b') member, one workspace's runs", viewer: member, input: { workspaceId: memberWorkspaces[0]!, scope: "workspace" } },
  { name: "(c) public arena, in no workspace", viewer: inNoWorkspace, input: {} },
];

const callerOf = (v: Viewer) => createCaller({ user: v });
const tokens = new Map<string, string>();
for (const v of [member, inNoWorkspace, admin]) tokens.set(v.id, (await createApiToken(db, v.id, "bench")).token);

/** First-page calls and calls at cursors down the first CURSOR_PAGES pages, alternately. */
async function inputsFor(viewer: Viewer, base: Omit<ListInput, "limit" | "cursor">): Promise<ListInput[]> {
  const caller = callerOf(viewer);
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let p = 0; p < CURSOR_PAGES; p++) {
    const page = await caller.run.list({ ...base, limit: PAGE, ...(cursor ? { cursor } : {}) });
    if (!page.nextCursor) break;
    cursors.push((cursor = page.nextCursor));
  }
  return Array.from({ length: CALLS }, (_, i) =>
    i % 2 === 0 || cursors.length === 0
      ? { ...base, limit: PAGE }
      : { ...base, limit: PAGE, cursor: cursors[(i * 7919) % cursors.length]! },
  );
}

/** Sorted wall times of the calls, and the CPU this process spent per call (ms). */
async function timeCalls(inputs: ListInput[], call: (input: ListInput) => Promise<unknown>): Promise<{ times: number[]; cpu: number }> {
  for (let i = 0; i < 50; i++) await call(inputs[i % inputs.length]!); // warm-up
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (const input of inputs) {
    const s = performance.now();
    await call(input);
    times.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(cpu0);
  return { times: times.sort((a, b) => a - b), cpu: (cpu.user + cpu.system) / 1000 / inputs.length };
}

const inProcess = (viewer: Viewer) => {
  const caller = callerOf(viewer);
  return (input: ListInput) => caller.run.list(input);
};
const loadBefore = os
  .loadavg()
  .map((l) => fmt(l))
  .join(" ");
const server = await spawnServer("api");
try {
  const overHttp = (viewer: Viewer) => async (input: ListInput) => {
    const res = await fetch(`${server.url}/trpc/run.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
      headers: { authorization: `Bearer ${tokens.get(viewer.id)!}` },
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`run.list failed: ${res.status}`);
  };

  const line = ({ times: t }: { times: number[] }) =>
    `p50 ${fmt(percentile(t, 50))}  p95 ${fmt(percentile(t, 95))}  p99 ${fmt(percentile(t, 99))} ms`;
  const cpuNote = (r: { cpu: number }) => `${fmt(r.cpu, 2)} ms CPU/call`;
  let worstP99 = 0;
  console.log(
    `\nrun.list, ${PAGE} a page, ${CALLS} calls each (half first pages, half at a cursor within the first ${CURSOR_PAGES} pages)`,
  );
  for (const c of cases) {
    const filtered = await inputsFor(c.viewer, c.input);
    const unfiltered = await inputsFor(admin, c.input);
    const results = {
      inProcess: await timeCalls(filtered, inProcess(c.viewer)),
      inProcessAdmin: await timeCalls(unfiltered, inProcess(admin)),
      http: await timeCalls(filtered, overHttp(c.viewer)),
      httpAdmin: await timeCalls(unfiltered, overHttp(admin)),
    };
    worstP99 = Math.max(worstP99, percentile(results.inProcess.times, 99));
    console.log(`${c.name}`);
    console.log(
      `  in-process  with the visibility rule: ${line(results.inProcess)} (${cpuNote(results.inProcess)})   ` +
        `without (site admin): ${line(results.inProcessAdmin)} (${cpuNote(results.inProcessAdmin)})`,
    );
    console.log(`  over HTTP   with the visibility rule: ${line(results.http)}   without (site admin): ${line(results.httpAdmin)}`);
  }
  console.log(
    `\ntarget: p99 ≤ ${P99_TARGET_MS} ms in-process for every case — ${worstP99 <= P99_TARGET_MS ? "met" : "MISSED"} (worst p99 ${fmt(worstP99)} ms)`,
  );
  // Latency on a shared machine follows its load: say how busy it was.
  console.log(
    `load average ${loadBefore} before, ${os
      .loadavg()
      .map((l) => fmt(l))
      .join(" ")} after, on ${os.cpus().length} cores`,
  );

  if (process.env.BENCH_EXPLAIN === "1") await explainCases();
} finally {
  await server.stop();
  await db.$disconnect();
  await closeAllRedis();
  await closePgPool();
  await env.cleanup();
}
process.exit(0);

/** PostgreSQL's plan of each case's page query, as listRuns sends it (first page, with the rule). */
async function explainCases() {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { PrismaClient } = await import("../../server/generated/prisma/client");
  const { pgConnectionOptions } = await import("../../server/lib/pg-options");
  const { listRuns } = await import("../../server/domain/runs/queries");
  const { pgPool } = await import("../../server/lib/pg");
  const logged = new PrismaClient({
    adapter: new PrismaPg(pgConnectionOptions(env.databaseUrl, { max: 1 })),
    log: [{ emit: "event", level: "query" }],
  });
  const statements: { query: string; params: string }[] = [];
  logged.$on("query", (e) => statements.push({ query: e.query, params: e.params }));
  for (const c of cases) {
    statements.length = 0;
    await listRuns(logged, pgPool(), { viewer: c.viewer, ...c.input, limit: PAGE });
    const page = statements.find((s) => s.query.includes("ORDER BY"));
    if (!page) continue;
    const plan = await pgPool().query<{ "QUERY PLAN": string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) ${page.query}`,
      JSON.parse(page.params) as unknown[],
    );
    console.log(`\n${c.name} — the page's ids:\n${plan.rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n")}`);
  }
  await logged.$disconnect();
}
