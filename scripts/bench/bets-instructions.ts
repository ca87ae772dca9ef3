// npm run bench:bets:instructions — the API process's machine instructions per bet, counted by
// valgrind's callgrind (`apt-get install valgrind`): the API runs under callgrind with counting
// off, 50 clients place BENCH_WARMUP_BETS bets through HTTP tRPC (the JIT warms up), counting is
// switched on for exactly BENCH_BETS bets, then off. Unlike CPU time (bench:bets' "CPU per bet"),
// the count hardly moves with what else the machine is running, so two versions can be compared
// on a busy machine: run it once per checkout (BENCH_TREE=<checkout> picks the API's source; the
// database and load come from this one). Under callgrind the API is some 50 times slower, so every
// statement carries a full batch of bets: compare counts with counts, not with bench:bets.
// Runs on a throwaway database (scripts/bench/bench-env.ts), never your data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { prepareBenchEnv, fmt } from "./bench-env";
import { freePort, stopChild, waitHealthy } from "./spawn-server";
import { projectRoot } from "../services";
import { betClients } from "./post-bet";

const CLIENTS = 50;
const WARMUP = Number(process.env.BENCH_WARMUP_BETS ?? 3000);
const BETS = Number(process.env.BENCH_BETS ?? 2000);
const tree = path.resolve(process.env.BENCH_TREE ?? projectRoot);

const env = await prepareBenchEnv("instructions");
const { db } = await import("../../server/lib/db");
const { createApiToken } = await import("../../server/domain/users");
const { makeRun, seedUsers } = await import("../../server/domain/betting/fixtures");
const { closeAllRedis } = await import("../../server/lib/redis");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "paddock-callgrind-"));
const vgdb = [`--vgdb-prefix=${path.join(work, "vgdb")}`];
const out = path.join(work, "callgrind.out");
// valgrind names its control pipes after $HOST and $USER: callgrind_control must see the same.
const vgEnv = { ...process.env, HOST: "127.0.0.1", USER: process.env.USER ?? "paddock" };
const port = await freePort();
const child = spawn(
  "valgrind",
  [
    "--tool=callgrind",
    "--instr-atstart=no",
    "--vgdb=yes",
    ...vgdb,
    `--callgrind-out-file=${out}`,
    `--log-file=${path.join(work, "valgrind.log")}`,
    process.execPath,
    "--import",
    "tsx",
    "server/main.ts",
  ],
  { cwd: tree, env: { ...vgEnv, PADDOCK_ROLE: "api", PORT: String(port) }, stdio: ["ignore", "ignore", "inherit"] },
);
const url = `http://127.0.0.1:${port}`;
await waitHealthy(url, child, 600_000);

const users = await seedUsers(db, CLIENTS, 1_000_000_000_000);
const tokens = await Promise.all(users.map(async (id) => (await createApiToken(db, id, "bench")).token));
// Created by a user who does not bet: a run's creator may not bet on it.
const [owner] = await seedUsers(db, 1, 1);
const run = await makeRun(db, { createdById: owner!, status: "running" });
const clients = await betClients([new URL(`${url}/trpc/betting.placeBet`)], CLIENTS);

let sent = 0;
function betOnce(token: string, client: number): Promise<boolean> {
  sent += 1;
  const body = JSON.stringify({ json: { runId: run.runId, side: sent % 2 ? "yes" : "no", amount: 100 + (sent % 900) } });
  return clients.post(client, token, body).then((status) => status === 200);
}

async function bet(token: string, client: number): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await betOnce(token, client);
    } catch (err) {
      // A keep-alive connection the server timed out while valgrind held it up: send again.
      if (attempt >= 5) throw err;
    }
  }
}

/** Exactly `n` bets from the 50 clients; how many were refused. */
async function place(n: number): Promise<number> {
  let left = n;
  let refused = 0;
  await Promise.all(
    tokens.map(async (t, client) => {
      while (left > 0) {
        left -= 1;
        if (!(await bet(t, client))) refused += 1;
      }
    }),
  );
  return refused;
}

const control = (...args: string[]) =>
  execFileSync("callgrind_control", [...vgdb, ...args, String(child.pid)], { env: vgEnv, stdio: "ignore" });
console.log(`bench:bets:instructions — API from ${tree}, ${WARMUP} bets to warm up, ${BETS} counted`);
await place(WARMUP);
control("-i", "on");
const refused = await place(BETS);
control("-i", "off");
control("-d");
await stopChild(child);
let instructions = 0;
for (const file of fs.readdirSync(work).filter((f) => f.startsWith("callgrind.out"))) {
  instructions += Number(/^totals: (\d+)/m.exec(fs.readFileSync(path.join(work, file), "utf8"))?.[1] ?? 0);
}
console.log(`instructions per bet: API process ${fmt(instructions / BETS / 1e6, 3)} M (refused bets: ${refused})`);
fs.rmSync(work, { recursive: true, force: true });
clients.close();
await db.$disconnect();
await closeAllRedis();
await env.cleanup();
process.exit(refused === 0 ? 0 : 1);
