// npm run bench:detail — p99 of run.get (the run page's one round trip) with 1,000,000
// events in the table (BENCH_EVENTS), measured in-process and over HTTP.
import { prepareBenchEnv, percentile, fmt } from "./bench-env";
import { spawnServer } from "./spawn-server";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);

const env = await prepareBenchEnv("detail");
const { db } = await import("../../server/lib/db");
const { registerUser, createApiToken } = await import("../../server/domain/users");
const { ensureBuiltinAgents } = await import("../../server/domain/agents/builtin");
const { createRun } = await import("../../server/domain/runs/create");
const { createCaller } = await import("../../server/trpc/root");
const { closeAllRedis } = await import("../../server/lib/redis");
const { closePgPool } = await import("../../server/lib/pg");

const user = await registerUser(db, {
  email: "bench@example.com",
  name: "Bench",
  password: "benchmark-pass",
  signupGrantCents: 100_000_000,
});
const [agent] = await ensureBuiltinAgents(db);
const ids: string[] = [];
for (let i = 0; i < RUNS; i++) {
  const { id } = await createRun(
    db,
    user.id,
    { goal: `bench ${i}`, metric: "n", targetValue: 100, agentId: agent!.id, durationMinutes: 60, credits: 100 },
    { defaultProvider: "local", availableProviders: ["local"], defaultIdleTimeoutMinutes: 15 },
  );
  ids.push(id);
}
const perRun = Math.ceil(EVENTS / RUNS);
const t0 = performance.now();
await db.$executeRawUnsafe(`
  INSERT INTO run_events ("runId", seq, kind, payload, "createdAt")
  SELECT s.id, g.n, (ARRAY['log','thought','action','tool_call','progress']::"EventKind"[])[1 + g.n % 5],
         jsonb_build_object('message', 'event ' || g.n, 'text', 'event ' || g.n, 'name', 'act', 'tool', 'grep', 'value', g.n % 100),
         now() - make_interval(secs => ${perRun} - g.n)
    FROM runs s CROSS JOIN generate_series(1, ${perRun}) AS g(n)`);
await db.$executeRawUnsafe(`UPDATE runs SET "eventSeq" = ${perRun}`);
await db.$executeRawUnsafe(`ANALYZE run_events`);
const total = await db.runEvent.count();
console.log(`bench:detail — ${total.toLocaleString()} events across ${RUNS} runs (inserted in ${fmt((performance.now() - t0) / 1000)} s)`);

const caller = createCaller({ user: { id: user.id, role: user.role } });
const pick = (i: number) => ids[(i * 7919) % ids.length]!;
for (let i = 0; i < 50; i++) await caller.run.get({ id: pick(i) }); // warm-up
const inProcess: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const s = performance.now();
  await caller.run.get({ id: pick(i) });
  inProcess.push(performance.now() - s);
}
inProcess.sort((a, b) => a - b);

const server = await spawnServer("api");
const { token } = await createApiToken(db, user.id, "bench");
const overHttp: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const input = encodeURIComponent(JSON.stringify({ json: { id: pick(i) } }));
  const s = performance.now();
  const res = await fetch(`${server.url}/trpc/run.get?input=${input}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`run.get failed: ${res.status}`);
  overHttp.push(performance.now() - s);
}
overHttp.sort((a, b) => a - b);
console.log(
  `run.get in-process: p50 ${fmt(percentile(inProcess, 50))} ms, p99 ${fmt(percentile(inProcess, 99))} ms (${CALLS} calls; target p99 ≤ 20 ms)`,
);
console.log(
  `run.get over HTTP:  p50 ${fmt(percentile(overHttp, 50))} ms, p99 ${fmt(percentile(overHttp, 99))} ms (${CALLS} calls, bearer auth, server in its own process)`,
);

await server.stop();
await db.$disconnect();
await closeAllRedis();
await closePgPool();
await env.cleanup();
process.exit(0);
