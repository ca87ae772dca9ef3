// npm run bench:dispatch — 10,000 ready tasks, 50 external agents long-polling the real agent API
// over HTTP (GET /tasks/next?wait=5, then POST /tasks/:id/result). Prints claim → result round
// trips per second and claim latency p50/p99, beside a minimal `SELECT … FOR UPDATE SKIP LOCKED`
// loop (50 connections) on the same database: the floor the claim's extra work is measured against.
import pg from "pg";
import { prepareBenchEnv, percentile, fmt } from "./bench-env";
import { spawnServer } from "./spawn-server";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);

const env = await prepareBenchEnv("dispatch");
const { db } = await import("../../server/lib/db");
const { pgConnectionOptions } = await import("../../server/lib/pg-options");
const { registerUser } = await import("../../server/domain/users");
const { personalWorkspaceId } = await import("../../server/domain/workspaces/personal");
const { createAgent } = await import("../../server/domain/agents/agents");
const { createAgentKey } = await import("../../server/domain/agents/keys");
const { closeAllRedis } = await import("../../server/lib/redis");
const { closePgPool } = await import("../../server/lib/pg");

const user = await registerUser(db, { email: "bench@example.com", name: "Bench", password: "benchmark-pass", signupGrantCents: 0 });
const actor = { userId: user.id, role: "admin" as const };
const workspaceId = (await personalWorkspaceId(db, user.id))!;
const project = await db.project.create({ data: { workspaceId, name: "Bench", brief: "A benchmark.", createdById: user.id } });
const keys: string[] = [];
for (let i = 0; i < AGENTS; i++) {
  const agent = await createAgent(db, actor, {
    workspaceId,
    name: `bench ${i}`,
    kind: "external",
    specialization: "general",
    capabilities: [],
    model: "external",
    description: "",
    maxConcurrentTasks: 1,
    policy: "demo",
  });
  keys.push((await createAgentKey(db, actor, { agentId: agent.id, name: "bench" })).key);
}
for (let i = 0; i < TASKS; i += 1000) {
  await db.task.createMany({
    data: Array.from({ length: Math.min(1000, TASKS - i) }, (_, j) => ({
      projectId: project.id,
      workspaceId,
      title: `task ${i + j}`,
      status: "ready" as const,
      createdById: user.id,
    })),
  });
}
await db.$executeRawUnsafe("ANALYZE tasks");

const server = await spawnServer("api");
console.log(`bench:dispatch — ${TASKS} ready tasks, ${AGENTS} external agents long-polling over HTTP`);

const claimLatency: number[] = [];
const resultLatency: number[] = [];
let roundTrips = 0;
let errors = 0;
const started = performance.now();
await Promise.all(
  keys.map(async (key) => {
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    for (;;) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/agents/v1/tasks/next?wait=5`, { headers });
      const body = res.status === 200 ? ((await res.json()) as { task: { id: string } }) : (await res.arrayBuffer(), null);
      claimLatency.push(performance.now() - t0);
      if (res.status === 204) return;
      if (!body) {
        errors += 1;
        return;
      }
      const t1 = performance.now();
      const done = await fetch(`${server.url}/api/agents/v1/tasks/${body.task.id}/result`, {
        method: "POST",
        headers,
        body: JSON.stringify({ outcome: "succeeded", summary: "ok", output: { n: 1 } }),
      });
      await done.arrayBuffer();
      resultLatency.push(performance.now() - t1);
      if (done.ok) roundTrips += 1;
      else errors += 1;
    }
  }),
);
// The last long-polls wait out their 5 s on an empty queue: count the time to the last result.
const elapsed = (performance.now() - started) / 1000;
await server.stop();
claimLatency.sort((a, b) => a - b);
resultLatency.sort((a, b) => a - b);
// Claims that found a task (the empty-queue long-polls at the end are not claim latency).
const claims = claimLatency.filter((l) => l < 4_000);
const doneCount = await db.task.count({ where: { status: "done" } });
const attempts = await db.taskAttempt.count();
console.log(
  `round trips:     ${roundTrips} claim → result in ${fmt(elapsed)} s incl. the final 5 s long-polls (done: ${doneCount}, attempts: ${attempts}, errors: ${errors})`,
);
console.log(`throughput:      ${fmt(roundTrips / Math.max(0.001, elapsed - 5), 0)} tasks/s (target ≥ 1,000)`);
console.log(`claim latency:   p50 ${fmt(percentile(claims, 50))} ms, p99 ${fmt(percentile(claims, 99))} ms (target p99 ≤ 50 ms)`);
console.log(`result latency:  p50 ${fmt(percentile(resultLatency, 50))} ms, p99 ${fmt(percentile(resultLatency, 99))} ms`);

// The floor: the same number of rows taken by 50 connections with a bare SKIP LOCKED loop.
const admin = new pg.Client(pgConnectionOptions(env.databaseUrl));
await admin.connect();
await admin.query("DROP TABLE IF EXISTS bench_queue");
await admin.query("CREATE TABLE bench_queue (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'ready')");
await admin.query(`INSERT INTO bench_queue (status) SELECT 'ready' FROM generate_series(1, ${TASKS})`);
await admin.query("CREATE INDEX ON bench_queue (id) WHERE status = 'ready'");
const pool = new pg.Pool({ ...pgConnectionOptions(env.databaseUrl), max: AGENTS });
const floorLatency: number[] = [];
let taken = 0;
const floorStarted = performance.now();
await Promise.all(
  Array.from({ length: AGENTS }, async () => {
    for (;;) {
      const t0 = performance.now();
      const { rows } = await pool.query<{ id: number }>(
        `UPDATE bench_queue SET status = 'taken' WHERE id = (
           SELECT id FROM bench_queue WHERE status = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`,
      );
      floorLatency.push(performance.now() - t0);
      if (rows.length === 0) return;
      await pool.query(`UPDATE bench_queue SET status = 'done' WHERE id = $1`, [rows[0]!.id]);
      taken += 1;
    }
  }),
);
const floorElapsed = (performance.now() - floorStarted) / 1000;
floorLatency.sort((a, b) => a - b);
console.log(
  `SKIP LOCKED floor: ${fmt(taken / floorElapsed, 0)} rows/s taken and marked done; claim p50 ${fmt(percentile(floorLatency, 50))} ms, p99 ${fmt(percentile(floorLatency, 99))} ms`,
);
await pool.end();
await admin.end();

await db.$disconnect();
await closeAllRedis();
await closePgPool();
await env.cleanup();
process.exit(doneCount === TASKS && errors === 0 ? 0 : 1);
