// npx tsx scripts/bench/trpc-handler.ts — CPU per call of Paddock's tRPC handler
// (server/trpc/express-handler.ts) against `@trpc/server/adapters/express`, on a bet-sized
// mutation (small JSON in, small JSON out) that touches no database, so the handler is most of
// the cost. Both are served in this process beside a third route that answers the same bytes
// with plain Express (the floor: HTTP, Express and the load generator); rounds alternate, so a
// busy machine slows all three alike. The figure in express-handler.ts's header comes from
// bench:bets; this isolates the handler's share of it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../../server/trpc/init";
import { createContextInner } from "../../server/trpc/context";
import { trpcExpressHandler } from "../../server/trpc/express-handler";

const CALLS = Number(process.env.BENCH_CALLS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONCURRENCY = 20;

const router = createTRPCRouter({
  bet: publicProcedure
    .input(z.object({ runId: z.string(), side: z.enum(["yes", "no"]), amount: z.number().int() }))
    .mutation(({ input }) => ({ id: "bet-1", ...input, poolYes: 1_234, poolNo: 5_678 })),
});
const createContext = async (req: express.Request) => createContextInner({ user: null, req });
const answer = JSON.stringify({
  result: { data: { json: { id: "bet-1", runId: "run-1", side: "yes", amount: 100, poolYes: 1_234, poolNo: 5_678 } } },
});

const apps = {
  ours: express().use("/trpc", trpcExpressHandler({ router, maxBodySize: 1 << 20, maxBatchCalls: 20, createContext })),
  official: express().use(
    "/trpc",
    createExpressMiddleware({ router, maxBodySize: 1 << 20, maxBatchSize: 20, createContext: ({ req }) => createContext(req) }),
  ),
  floor: express().post("/trpc/bet", express.json(), (_req, res) => {
    res.type("json").send(answer);
  }),
};

const body = JSON.stringify({ json: { runId: "run-1", side: "yes", amount: 100 } });
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function call(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        port,
        host: "127.0.0.1",
        method: "POST",
        path: "/trpc/bet",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** CPU milliseconds this process spends per call, server and load generator together. */
async function round(port: number, calls: number): Promise<number> {
  const before = process.cpuUsage();
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent++ < calls) await call(port);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls / 1000;
}

const servers = await Promise.all(
  Object.entries(apps).map(async ([name, app]) => {
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { name, server, port: (server.address() as AddressInfo).port };
  }),
);
for (const s of servers) await round(s.port, Math.min(CALLS, 3_000)); // warm-up

const results: Record<string, number[]> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const s of servers) (results[s.name] ??= []).push(await round(s.port, CALLS));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(results.floor!);
console.log(`trpc-handler: ${ROUNDS} rounds of ${CALLS} calls, ${CONCURRENCY} at a time; CPU ms per call (median, and over the floor)`);
for (const s of servers) {
  const m = median(results[s.name]!);
  console.log(
    `${s.name.padEnd(9)} ${m.toFixed(3)} ms${s.name === "floor" ? "" : `  (+${(m - floor).toFixed(3)} ms)`}   rounds: ${results[s.name]!.map((x) => x.toFixed(3)).join(" ")}`,
  );
}
for (const s of servers) s.server.close();
agent.destroy();
