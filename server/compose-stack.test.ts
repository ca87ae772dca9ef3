// The container stack, proven without Docker: runs what docker-compose.yml runs — its one-shot
// migrate service, then the API and the worker as separate production-mode processes — against
// a fresh, empty database, and drives one run to a settled pool through HTTP only. The commands
// and environment come from the compose file itself, so a change there is tested here; only the
// addresses of PostgreSQL, Redis and the API are swapped for this machine's.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import request from "supertest";
import { parse } from "yaml";
import { projectRoot } from "../scripts/services";
import { ensureClientBuilt } from "../scripts/client-build";
import { freePort, stopChild, waitHealthy } from "../scripts/bench/spawn-server";

interface ComposeService {
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v) return v;
    if (op === "?") throw new Error(`docker-compose.yml requires ${name}: ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

const paddockServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
/** Services the others wait for with service_completed_successfully: run once, before them. */
const oneShots = new Set(
  paddockServices.flatMap(([, s]) =>
    Object.entries(s.depends_on ?? {})
      .filter(([, d]) => d.condition === "service_completed_successfully")
      .map(([n]) => n),
  ),
);
const roleOf = (s: ComposeService) => String(s.environment?.PADDOCK_ROLE ?? "all");
const [apiName, apiService] = paddockServices.find(([, s]) => roleOf(s) === "api")!;
const workerServices = paddockServices.filter(([, s]) => roleOf(s) === "worker");

const adminUrl = inject("adminDatabaseUrl");
const database = `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_compose`;
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const children: ChildProcess[] = [];
let apiUrl = "";

function envFor(service: ComposeService, apiPort: number): NodeJS.ProcessEnv {
  const vars = { AUTH_SECRET: randomBytes(24).toString("hex") };
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), vars)]));
  // Agents reach the bridge at the API service's address, as compose's network would route it.
  const bridge = new URL(env.BRIDGE_PUBLIC_URL!);
  expect(bridge.hostname).toBe(apiName);
  bridge.host = `127.0.0.1:${apiPort}`;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    BRIDGE_PUBLIC_URL: bridge.toString().replace(/\/$/, ""),
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    PORT: String(apiPort),
    HOST: "127.0.0.1",
    DATA_DIR: path.resolve(process.env.DATA_DIR!),
    // Shares this test file's key prefix, so its Redis keys are cleaned up with the file's.
    REDIS_PREFIX: process.env.REDIS_PREFIX,
    LOG_LEVEL: "warn",
  };
}

function start(service: ComposeService, env: NodeJS.ProcessEnv): ChildProcess {
  const [command, ...args] = service.command!;
  const child = spawn(command === "node" ? process.execPath : command!, args, {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  return child;
}

const exitCode = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

/** superjson over plain HTTP, as any script would call tRPC. */
async function call(agent: ReturnType<typeof request.agent>, procedure: string, input: unknown, kind: "query" | "mutation" = "mutation") {
  const res =
    kind === "query"
      ? await agent.get(`/trpc/${procedure}`).query({ input: JSON.stringify({ json: input }) })
      : await agent.post(`/trpc/${procedure}`).send({ json: input });
  if (res.status !== 200) throw new Error(`${procedure} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result.data.json;
}

async function signedUp(email: string) {
  const agent = request.agent(apiUrl);
  await call(agent, "user.signUp", { email, password: "correct horse battery", name: email.split("@")[0] });
  const csrf = await agent.get("/api/auth/csrf").expect(200);
  await agent
    .post("/api/auth/callback/credentials")
    .type("form")
    .send({ csrfToken: csrf.body.csrfToken, email, password: "correct horse battery", json: "true" });
  const me = await call(agent, "user.me", undefined, "query");
  expect(me?.email).toBe(email);
  return agent;
}

describe("docker-compose.yml's services, run as processes", () => {
  beforeAll(async () => {
    // The image builds the client (Dockerfile: vite build); so does this machine, when stale.
    await ensureClientBuilt();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();

    const apiPort = await freePort();
    for (const name of oneShots) {
      const child = start(compose.services[name]!, envFor(compose.services[name]!, apiPort));
      expect(await exitCode(child), `the ${name} service`).toBe(0);
    }
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = start(apiService, envFor(apiService, apiPort));
    for (const [, worker] of workerServices) start(worker, envFor(worker, apiPort));
    await waitHealthy(apiUrl, api, 60_000);
  });

  afterAll(async () => {
    await Promise.all(children.map(stopChild));
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it("derives a one-shot migrate step, an API and a worker from the compose file", () => {
    expect([...oneShots].map((n) => compose.services[n]!.command)).toEqual([["npx", "prisma", "migrate", "deploy"]]);
    expect(apiService.environment?.NODE_ENV).toBe("production");
    expect(workerServices).toHaveLength(1);
  });

  it("serves the client from the API process, the SPA's routes included", async () => {
    for (const route of ["/", "/signin"]) {
      const res = await request(apiUrl).get(route).expect(200);
      expect(res.text).toContain('<div id="root">');
    }
  });

  it("launches a run with a built-in agent on a fresh database and settles its pool", { timeout: 180_000 }, async () => {
    const launcher = await signedUp("launcher@example.test");
    const yes = await signedUp("yes@example.test");
    const no = await signedUp("no@example.test");

    // Nothing seeded this database: the agents are there because Paddock's start made them.
    const agents: { slug: string; id: string }[] = await call(launcher, "run.agents", undefined, "query");
    const agent = agents.find((p) => p.slug === "demo-gpt");
    expect(agent).toBeDefined();

    const { id } = await call(launcher, "run.create", {
      goal: "Reach two steps",
      metric: "steps",
      targetValue: 2,
      agentId: agent!.id,
      durationMinutes: 10,
      credits: 500,
      agentConfig: { stepMs: 1_000, progressPerStep: 1, succeed: true },
    });
    await call(yes, "betting.placeBet", { runId: id, side: "yes", amount: 3_000 });
    await call(no, "betting.placeBet", { runId: id, side: "no", amount: 1_000 });

    const run = await vi.waitFor(
      async () => {
        const r = await call(launcher, "run.get", { id }, "query");
        if (!["succeeded", "failed", "canceled", "expired"].includes(r.status)) throw new Error(`run is ${r.status}`);
        return r;
      },
      { timeout: 150_000, interval: 500 },
    );
    expect(run.status).toBe("succeeded");

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const pool = await vi.waitFor(
        async () => {
          const { rows } = await db.query<{ status: string; outcome: string }>(
            `SELECT status::text, outcome::text FROM pools WHERE "runId" = $1`,
            [id],
          );
          if (rows[0]?.status !== "settled") throw new Error(`pool is ${rows[0]?.status}`);
          return rows[0];
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(pool.outcome).toBe("yes");
      // The YES bettor took the whole pool (no rake by default); the books balance.
      const { rows: balances } = await db.query<{ email: string; balance: string }>(
        `SELECT u.email, a.balance::text FROM users u JOIN ledger_accounts a ON a."userId" = u.id WHERE u.email = ANY($1)`,
        [["yes@example.test", "no@example.test"]],
      );
      expect(Object.fromEntries(balances.map((b) => [b.email, Number(b.balance)]))).toEqual({
        "yes@example.test": 101_000,
        "no@example.test": 99_000,
      });
      const { rows: sum } = await db.query<{ total: string }>(`SELECT coalesce(sum(amount), 0)::text AS total FROM ledger_entries`);
      expect(sum[0]!.total).toBe("0");
    } finally {
      await db.end();
    }
  });
});
