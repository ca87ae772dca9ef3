// npm run bench:dispatch — 10,000 ready tasks, 50 external agents long-polling the real agent API
// over HTTP (GET /tasks/next?wait=5, then POST /tasks/:id/result). Prints claim → result round
// trips per second and claim latency p50/p99, and the CPU the API process and the database spent
// per round trip (steadier than rates on a shared machine), beside a minimal `SELECT … FOR UPDATE
// SKIP LOCKED` loop (50 connections) on the same database: the floor the claim's extra work is
// measured against. The claim and the result are one SQL statement each (server/domain/tasks).
import pg from "pg";
import { prepareBenchEnv, percentile, fmt, pidsWhere, processCpu } from "./bench-env";
import { spawnServer } from "./spawn-server";
import { KeepAliveConnection, type Answer } from "./keep-alive-client";

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

// A keep-alive connection per agent, through the load generator's lean HTTP/1.1 client (its file
// says why: the load generator shares this machine's cores with the server and PostgreSQL).
const apiUrl = new URL(server.url);
const connections = await Promise.all(keys.map(() => KeepAliveConnection.open(apiUrl)));
function call(agentIndex: number, method: "GET" | "POST", path: string, body?: string): Promise<Answer> {
  return connections[agentIndex]!.request(
    method,
    `/api/agents/v1${path}`,
    body === undefined
      ? { authorization: `Bearer ${keys[agentIndex]}` }
      : { authorization: `Bearer ${keys[agentIndex]}`, "content-type": "application/json" },
    body,
  );
}

/** CPU milliseconds used so far by the API process and by the bench database's PostgreSQL backends. */
const benchDb = new URL(env.databaseUrl).pathname.slice(1);
const cpuTimes = () => ({
  api: processCpu(server.child.pid!)?.ms ?? 0,
  postgres: pidsWhere((name, cmdline) => name === "postgres" && cmdline.includes(benchDb)).reduce(
    (sum, pid) => sum + (processCpu(pid)?.ms ?? 0),
    0,
  ),
});

/** Transactions the bench database has committed: with the group commits, far fewer than requests. */
const commits = async () =>
  Number(
    (await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`))[0]!.n,
  );
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const claimLatency: number[] = [];
const resultLatency: number[] = [];
let roundTrips = 0;
let errors = 0;
const cpuBefore = cpuTimes();
const commitsBefore = await commits();
const clientCpuBefore = selfCpu();
const started = performance.now();
await Promise.all(
  keys.map(async (_key, agentIndex) => {
    for (;;) {
      const t0 = performance.now();
      const res = await call(agentIndex, "GET", "/tasks/next?wait=5");
      claimLatency.push(performance.now() - t0);
      if (res.status === 204) return;
      if (res.status !== 200) {
        errors += 1;
        return;
      }
      const { task } = JSON.parse(res.body) as { task: { id: string } };
      const t1 = performance.now();
      const done = await call(
        agentIndex,
        "POST",
        `/tasks/${task.id}/result`,
        JSON.stringify({ outcome: "succeeded", summary: "ok", output: { n: 1 } }),
      );
      resultLatency.push(performance.now() - t1);
      if (done.status === 200) roundTrips += 1;
      else errors += 1;
    }
  }),
);
const cpu = cpuTimes();
const clientCpu = selfCpu() - clientCpuBefore;
// The last long-polls wait out their 5 s on an empty queue: count the time to the last result.
const elapsed = (performance.now() - started) / 1000;
for (const c of connections) c.close();
await server.stop();
claimLatency.sort((a, b) => a - b);
resultLatency.sort((a, b) => a - b);
// Claims that found a task (the empty-queue long-polls at the end are not claim latency).
const claims = claimLatency.filter((l) => l < 4_000);
// pg_stat_database is updated when a backend reports its counters (at most every second or so, and as it exits).
await new Promise((r) => setTimeout(r, 1_500));
const committed = (await commits()) - commitsBefore;
const doneCount = await db.task.count({ where: { status: "done" } });
const attempts = await db.taskAttempt.count();
console.log(
  `round trips:     ${roundTrips} claim → result in ${fmt(elapsed)} s incl. the final 5 s long-polls (done: ${doneCount}, attempts: ${attempts}, errors: ${errors})`,
);
console.log(`throughput:      ${fmt(roundTrips / Math.max(0.001, elapsed - 5), 0)} tasks/s (target ≥ 1,000)`);
console.log(`claim latency:   p50 ${fmt(percentile(claims, 50))} ms, p99 ${fmt(percentile(claims, 99))} ms (target p99 ≤ 50 ms)`);
console.log(`result latency:  p50 ${fmt(percentile(resultLatency, 50))} ms, p99 ${fmt(percentile(resultLatency, 99))} ms`);
const perTrip = (ms: number) => fmt(ms / Math.max(1, roundTrips), 2);
console.log(
  `CPU per round trip: API process ${perTrip(cpu.api - cpuBefore.api)} ms, its PostgreSQL backends ${perTrip(cpu.postgres - cpuBefore.postgres)} ms, this load generator ${perTrip(clientCpu)} ms`,
);
console.log(
  `transactions:    ${fmt(committed / Math.max(1, roundTrips), 2)} per round trip (${committed} committed; claims and results of agents arriving together share one)`,
);

// The floor: the same number of rows taken by 50 connections with a bare SKIP LOCKED loop.
// Every connection here has an error listener: an idle connection closed under it (the embedded
// PostgreSQL stopped by the process that started it, a DROP … WITH (FORCE)) must not end the bench
// with a dump of the client.
// After the floor has ended its pool (pool.end() resolves before every connection has closed, and
// the database is then dropped WITH (FORCE)), such a close is expected and not reported.
let floorEnded = false;
const onPgError = (err: Error) => {
  if (!floorEnded) console.warn(`bench:dispatch — a floor connection failed: ${err.message}`);
};
const admin = new pg.Client(pgConnectionOptions(env.databaseUrl));
admin.on("error", onPgError);
await admin.connect();
await admin.query("DROP TABLE IF EXISTS bench_queue");
await admin.query("CREATE TABLE bench_queue (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'ready')");
await admin.query(`INSERT INTO bench_queue (status) SELECT 'ready' FROM generate_series(1, ${TASKS})`);
await admin.query("CREATE INDEX ON bench_queue (id) WHERE status = 'ready'");
const pool = new pg.Pool({ ...pgConnectionOptions(env.databaseUrl), max: AGENTS });
pool.on("error", onPgError);
const floorLatency: number[] = [];
let taken = 0;
const floorCpuBefore = cpuTimes().postgres;
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
const floorCpu = cpuTimes().postgres - floorCpuBefore;
floorLatency.sort((a, b) => a - b);
console.log(
  `SKIP LOCKED floor: ${fmt(taken / floorElapsed, 0)} rows/s taken and marked done; claim p50 ${fmt(percentile(floorLatency, 50))} ms, p99 ${fmt(percentile(floorLatency, 99))} ms; PostgreSQL ${fmt(floorCpu / Math.max(1, taken), 2)} ms CPU per row`,
);
floorEnded = true;
await pool.end();
await admin.end();

await db.$disconnect();
await closeAllRedis();
await closePgPool();
await env.cleanup();
process.exit(doneCount === TASKS && errors === 0 ? 0 : 1);
