// npm run bench:bridge — 50 agents post batched events through the real bridge over HTTP for
// 20 s (BENCH_SECONDS); prints events ingested per second and request latency p50/p99.
import { prepareBenchEnv, percentile, fmt } from "./bench-env";
import { spawnServer } from "./spawn-server";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);

const env = await prepareBenchEnv("bridge");
const { db } = await import("../../server/lib/db");
const { hashToken, newToken } = await import("../../server/lib/passwords");
const { registerUser } = await import("../../server/domain/users");
const { ensureBuiltinAgents } = await import("../../server/domain/agents/builtin");
const { createRun } = await import("../../server/domain/runs/create");
const { closeAllRedis } = await import("../../server/lib/redis");
const { closePgPool } = await import("../../server/lib/pg");

const server = await spawnServer("api");

const user = await registerUser(db, {
  email: "bench@example.com",
  name: "Bench",
  password: "benchmark-pass",
  signupGrantCents: 10_000_000,
});
const [agent] = await ensureBuiltinAgents(db);
const agents: { base: string; token: string }[] = [];
for (let i = 0; i < AGENTS; i++) {
  const { id } = await createRun(
    db,
    user.id,
    { goal: `bench ${i}`, metric: "n", targetValue: 100, agentId: agent!.id, durationMinutes: 60, credits: 100 },
    { defaultProvider: "local", availableProviders: ["local"], defaultIdleTimeoutMinutes: 15 },
  );
  const token = newToken("pdkrun");
  await db.run.update({ where: { id }, data: { status: "running", startedAt: new Date(), tokenHash: hashToken(token) } });
  agents.push({ base: `${server.url}/api/agent/v1/runs/${id}`, token });
}

const kinds = ["log", "thought", "action", "tool_call"] as const;
function batch(n: number) {
  return Array.from({ length: BATCH }, (_, i) => {
    const kind = kinds[(n + i) % kinds.length]!;
    const payload =
      kind === "log"
        ? { message: `line ${n}-${i}` }
        : kind === "thought"
          ? { text: `thinking ${n}-${i}` }
          : kind === "action"
            ? { name: "click", detail: `#${i}` }
            : { tool: "search", input: { q: `q${i}` } };
    return { kind, payload };
  });
}

console.log(`bench:bridge — ${AGENTS} agents, batches of ${BATCH} events, ${SECONDS} s`);
const latencies: number[] = [];
let events = 0;
let errors = 0;
const deadline = Date.now() + SECONDS * 1000;
const started = performance.now();
await Promise.all(
  agents.map(async (agent) => {
    let n = 0;
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const res = await fetch(`${agent.base}/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${agent.token}` },
        body: JSON.stringify({ events: batch(n++) }),
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.ok) events += BATCH;
      else errors += 1;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const stored = await db.runEvent.count();
console.log(`events ingested: ${events} in ${fmt(elapsed)} s (stored: ${stored}, failed requests: ${errors})`);
console.log(`throughput:      ${fmt(events / elapsed, 0)} events/s (target ≥ 5,000)`);
console.log(
  `request latency: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms (${latencies.length} requests)`,
);

await server.stop();
await db.$disconnect();
await closeAllRedis();
await closePgPool();
await env.cleanup();
process.exit(stored === events && errors === 0 ? 0 : 1);
