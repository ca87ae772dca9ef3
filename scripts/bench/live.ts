// npm run bench:live — the live path end to end: 20 agents post events through the bridge
// (POST /api/agent/v1/runs/:id/events with per-run bearer tokens) at a fixed total rate while 200
// Socket.IO clients watch the runs (10 per run). Prints events/s accepted, deliveries/s, and the
// latency from the agent's POST to each watcher's receipt (p50/p99). Target: 2,000 events/s with
// p99 ≤ 50 ms.
//
// Runs against a throwaway database and Redis prefix (bench-env.ts); the API runs in its own
// process(es); the watchers run in worker threads so the load generator's event loop does not
// distort what it measures.
//
//   BENCH_RATE=2000 BENCH_SECONDS=15 BENCH_AGENTS=20 BENCH_CLIENTS=200 BENCH_TICK_MS=250 BENCH_APIS=1 BENCH_CLIENT_THREADS=2
import { Worker } from "node:worker_threads";

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
// Agents flush like the SDK's event batcher (agent/event-batcher.ts): every 250 ms.
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 250);
const APIS = Number(process.env.BENCH_APIS ?? 1);
const WORKERS = Number(process.env.BENCH_CLIENT_THREADS ?? 2);
const P99_TARGET_MS = 50;

/** Wall clock with sub-millisecond resolution, comparable across this process's threads. */
const now = () => performance.timeOrigin + performance.now();

interface WatcherTask {
  token: string;
  watchers: { url: string; runId: string }[];
}

type FromWatcher = { type: "ready" } | { type: "failed"; error: string } | { type: "samples"; latencies: Float64Array; received: number };

// ───────────────────────── watcher threads ─────────────────────────

// Plain JavaScript evaluated in each worker thread (Node 20 will not load a TypeScript worker
// entry through tsx). Each thread connects its share of the watchers, subscribes each to its
// run, and records POST → receipt latencies once told to measure.
const WATCHER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { io } = require("socket.io-client");
const now = () => performance.timeOrigin + performance.now();
let latencies = [];
let received = 0;
let measuring = false;
let measuredFrom = Infinity;
const sockets = workerData.watchers.map((w) => {
  const socket = io(w.url, { path: "/socket.io", transports: ["websocket"], auth: { token: workerData.token }, forceNew: true, reconnection: false });
  // One message per stored batch; every event in it counts as one delivery.
  socket.on("run:events", (msg) => {
    if (!measuring) return;
    const at = now();
    for (const e of msg.events) {
      // "t=<send time> …": the bridge validates payloads strictly, so the time rides in the text.
      const message = (e.payload && e.payload.message) || "";
      const sentAt = message.startsWith("t=") ? Number.parseFloat(message.slice(2)) : NaN;
      if (!Number.isFinite(sentAt) || sentAt < measuredFrom) continue;
      received += 1;
      latencies.push(at - sentAt);
    }
  });
  return socket;
});
Promise.all(sockets.map((socket, i) => new Promise((resolve, reject) => {
  const subscribe = () => socket.emit("run:subscribe", { runId: workerData.watchers[i].runId }, (ack) =>
    ack.ok ? resolve() : reject(new Error("subscribe refused: " + ack.error)));
  if (socket.connected) subscribe(); else socket.once("connect", subscribe);
  socket.once("connect_error", reject);
}))).then(
  () => parentPort.postMessage({ type: "ready" }),
  (e) => parentPort.postMessage({ type: "failed", error: String(e && e.message || e) }),
);
parentPort.on("message", (m) => {
  if (m.type === "measure") { measuring = true; measuredFrom = m.from; return; }
  // Give in-flight deliveries a moment, then report and close.
  setTimeout(() => {
    const samples = Float64Array.from(latencies);
    parentPort.postMessage({ type: "samples", latencies: samples, received }, [samples.buffer]);
    for (const s of sockets) s.disconnect();
  }, 1000);
});
`;

// ───────────────────────── main thread ─────────────────────────

await main();

async function main() {
  const { prepareBenchEnv, percentile, fmt } = await import("./bench-env");
  const env = await prepareBenchEnv("live");
  const { db } = await import("../../server/lib/db");
  const { hashToken, newToken } = await import("../../server/lib/passwords");
  const { registerUser, createApiToken } = await import("../../server/domain/users");
  const { ensureBuiltinAgents } = await import("../../server/domain/agents/builtin");
  const { createRun } = await import("../../server/domain/runs/create");
  const { closeAllRedis } = await import("../../server/lib/redis");
  const { spawnServer } = await import("./spawn-server");
  const { BRIDGE_BASE_PATH, BRIDGE_PATHS } = await import("../../shared/bridge");

  const servers = await Promise.all(Array.from({ length: APIS }, () => spawnServer("api")));
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.$disconnect();
    await closeAllRedis();
    await env.cleanup();
  };

  try {
    const user = await registerUser(db, {
      email: "bench-live@example.com",
      name: "Bench",
      password: "benchmark-pass",
      signupGrantCents: 100_000_000,
    });
    const { token: apiToken } = await createApiToken(db, user.id, "bench:live");
    const [agent] = await ensureBuiltinAgents(db);
    const runs: { id: string; token: string; url: string }[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const { id } = await createRun(
        db,
        user.id,
        { goal: `bench live ${i}`, metric: "n", targetValue: 1_000_000, agentId: agent!.id, durationMinutes: 60, credits: 100 },
        { defaultProvider: "local", availableProviders: ["local"], defaultIdleTimeoutMinutes: 15 },
      );
      const token = newToken("pdkrun");
      await db.run.update({ where: { id }, data: { status: "running", startedAt: new Date(), tokenHash: hashToken(token) } });
      const server = servers[i % servers.length]!;
      runs.push({ id, token, url: `${server.url}${BRIDGE_BASE_PATH}/runs/${id}${BRIDGE_PATHS.events}` });
    }

    // Watchers: client i watches run i % AGENTS, spread over the API processes and threads.
    const tasks: WatcherTask[] = Array.from({ length: WORKERS }, () => ({ token: apiToken, watchers: [] }));
    for (let i = 0; i < CLIENTS; i++) {
      tasks[i % WORKERS]!.watchers.push({ url: servers[i % servers.length]!.url, runId: runs[i % AGENTS]!.id });
    }
    const watchersPerRun = new Map<string, number>();
    for (let i = 0; i < CLIENTS; i++) watchersPerRun.set(runs[i % AGENTS]!.id, (watchersPerRun.get(runs[i % AGENTS]!.id) ?? 0) + 1);

    const workers = tasks.map((task) => new Worker(WATCHER_SOURCE, { eval: true, workerData: task }));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("message", (m: FromWatcher) =>
              m.type === "ready" ? resolve() : reject(new Error(m.type === "failed" ? m.error : "unexpected message")),
            );
            w.once("error", reject);
          }),
      ),
    );

    console.log(
      `bench:live — ${AGENTS} agents posting ${fmt(RATE, 0)} events/s in total (every ${TICK_MS} ms), ${CLIENTS} Socket.IO watchers (${CLIENTS / AGENTS} per run), ${APIS} API process${APIS === 1 ? "" : "es"}, ${SECONDS} s + ${WARMUP_SECONDS} s warm-up`,
    );

    // Open-loop load: each agent posts its share every TICK_MS whether or not earlier posts
    // returned. Agents are staggered across the tick, as independent agents would be, rather
    // than all firing in the same millisecond.
    const perTick = (RATE * TICK_MS) / 1000 / AGENTS;
    const carry = new Array<number>(AGENTS).fill(0);
    let acceptedWhileMeasuring = 0;
    let failed = 0;
    let inFlight = 0;
    let measuring = false;
    const postLatencies: number[] = [];
    const pending = new Set<Promise<void>>();

    const post = (agent: number, count: number) => {
      const run = runs[agent]!;
      const sentAt = now();
      const events = Array.from({ length: count }, (_, k) => ({
        kind: "log" as const,
        payload: { message: `t=${sentAt} agent ${agent} #${k}` },
      }));
      const wasMeasuring = measuring;
      inFlight += 1;
      const p = fetch(run.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${run.token}` },
        body: JSON.stringify({ events }),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          if (wasMeasuring) {
            acceptedWhileMeasuring += count;
            postLatencies.push(now() - sentAt);
          }
        })
        .catch((e: unknown) => {
          failed += 1;
          if (failed <= 3) console.error(`post failed: ${e instanceof Error ? e.message : String(e)}`);
        })
        .finally(() => {
          inFlight -= 1;
          pending.delete(p);
        });
      pending.add(p);
    };

    const start = now();
    const warmupEnds = start + WARMUP_SECONDS * 1000;
    const ends = warmupEnds + SECONDS * 1000;
    const slot = TICK_MS / AGENTS;
    let step = 0;
    let measuredFrom = 0;
    while (now() < ends) {
      if (!measuring && now() >= warmupEnds) {
        measuring = true;
        measuredFrom = now();
        for (const w of workers) w.postMessage({ type: "measure", from: measuredFrom });
      }
      const agent = step % AGENTS;
      carry[agent]! += perTick;
      const n = Math.floor(carry[agent]!);
      if (n > 0) {
        carry[agent]! -= n;
        post(agent, n);
      }
      step += 1;
      const next = start + step * slot;
      await new Promise((r) => setTimeout(r, Math.max(0, next - now())));
    }
    const measuredSeconds = (now() - measuredFrom) / 1000;
    await Promise.all([...pending]);

    const reports = await Promise.all(
      workers.map(
        (w) =>
          new Promise<Extract<FromWatcher, { type: "samples" }>>((resolve) => {
            w.on("message", (m: FromWatcher) => m.type === "samples" && resolve(m));
            w.postMessage({ type: "report" });
          }),
      ),
    );
    const latencies = new Float64Array(reports.reduce((n, r) => n + r.latencies.length, 0));
    let offset = 0;
    for (const r of reports) {
      latencies.set(r.latencies, offset);
      offset += r.latencies.length;
    }
    latencies.sort();
    const sorted = Array.from(latencies);
    const received = reports.reduce((n, r) => n + r.received, 0);
    const expected = acceptedWhileMeasuring * (CLIENTS / AGENTS);
    postLatencies.sort((a, b) => a - b);

    const eventsPerSecond = acceptedWhileMeasuring / measuredSeconds;
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    console.log(
      `events accepted:   ${acceptedWhileMeasuring} in ${fmt(measuredSeconds)} s → ${fmt(eventsPerSecond, 0)} events/s (target ≥ ${fmt(RATE, 0)}); failed posts: ${failed}`,
    );
    console.log(`deliveries:        ${received} of ~${expected} expected → ${fmt(received / measuredSeconds, 0)} messages/s to watchers`);
    console.log(
      `POST → receipt:    p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(sorted.at(-1) ?? Number.NaN)} ms (target p99 ≤ ${P99_TARGET_MS} ms)`,
    );
    console.log(
      `bridge POST:       p50 ${fmt(percentile(postLatencies, 50))} ms, p99 ${fmt(percentile(postLatencies, 99))} ms (${postLatencies.length} requests, ${inFlight} still in flight)`,
    );
    const ok = eventsPerSecond >= RATE * 0.95 && p99 <= P99_TARGET_MS && failed === 0 && received >= expected * 0.99;
    console.log(ok ? "result:            PASS" : "result:            FAIL (see the targets above)");
    await Promise.all(workers.map((w) => w.terminate()));
    await cleanup();
    process.exit(ok ? 0 : 1);
  } catch (e) {
    console.error(e);
    await cleanup().catch(() => {});
    process.exit(1);
  }
}
