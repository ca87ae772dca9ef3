// What an agent can see of the server: a run on the local provider whose runtime dumps every
// environment it can read. It must hold the run's own variables and nothing of the server's.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// An OpenAI-compatible stand-in whose model always claims to be done, and says what it was sent.
const llmCalls: { auth?: string; model?: string }[] = [];
const llm = createServer(async (req, res) => {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  llmCalls.push({ auth: req.headers.authorization, model: (JSON.parse(raw) as { model?: string }).model });
  const claim = { thought: "The owner says we are done", action: "report success", progressDelta: 0, done: true, success: true };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(claim) } }],
      usage: { total_tokens: 1000 },
    }),
  );
});
await new Promise<void>((resolve) => llm.listen(0, "127.0.0.1", resolve));
afterAll(() => llm.close());

// Before server/config.ts is imported: secrets the server holds, each with a recognizable value.
const SERVER_SECRETS = {
  LLM_API_KEY: "sk-llm-secret-7c1e",
  LLM_BASE_URL: `http://127.0.0.1:${(llm.address() as AddressInfo).port}/llm-secret-base`,
  AUTH_SECRET: "auth-secret-0123456789-0123456789-abcdef",
  PADDOCK_SERVER_ONLY_MARKER: "server-marker-5d2b",
};
Object.assign(process.env, SERVER_SECRETS);

const { config } = await import("../../config");
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { useTestPaddock, waitUntil, waitForRun } = await import("../../test/paddock-harness");
const { REFERENCE_RUNTIME } = await import("../../commands/launch-run");

useTestPaddock();

/** What the agent may find in its environment: the run's variables and shell/sandbox basics. */
const ALLOWED = new Set([
  "PADDOCK_BRIDGE_URL",
  "PADDOCK_TOKEN",
  "PADDOCK_RUN_ID",
  "PADDOCK_POLICY",
  "PADDOCK_MODEL",
  "PADDOCK_AGENT_CONFIG",
  "PATH",
  "HOME",
  "TMPDIR",
  "PWD",
  "OLDPWD",
  "SHLVL",
  "_",
]);

const DUMP =
  "env > env.txt; cat /proc/self/environ > self-environ.txt; cat /proc/$PPID/environ > parent-environ.txt; " +
  "cat /proc/1/environ > init-environ.txt 2>/dev/null; echo done > dumped.txt; exec sleep 60";

/** A 10-point run of an hour on the local provider. */
const launchLocal = (
  user: Awaited<ReturnType<typeof makeUser>>,
  input: { goal: string; agentId: string; agentConfig?: Record<string, unknown> },
) => user.caller.run.create({ metric: "points", targetValue: 10, durationMinutes: 60, credits: 100, provider: "local", ...input });

const namesIn = (dump: string, separator: string) =>
  dump
    .split(separator)
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf("=")));

describe("the environment of an agent", () => {
  it("holds the run's variables and none of the server's", async () => {
    const agent = await db.agent.create({
      data: { slug: `env-dump-${Date.now()}`, name: "Env dump", model: "none", runtime: DUMP, policy: "demo" },
    });
    const user = await makeUser();
    const { id } = await launchLocal(user, { goal: "Show what I can see", agentId: agent.id });
    const work = path.resolve(config.DATA_DIR, "sandboxes", id, "work");
    await waitUntil(async () => existsSync(path.join(work, "dumped.txt")), "the agent's environment dump", 30_000);

    const env = readFileSync(path.join(work, "env.txt"), "utf8");
    const dumps = ["env.txt", "self-environ.txt", "parent-environ.txt", "init-environ.txt"].map((f) =>
      readFileSync(path.join(work, f), "utf8"),
    );
    const secretValues = [...Object.values(SERVER_SECRETS), process.env.DATABASE_URL!, process.env.REDIS_URL!];
    for (const dump of dumps) {
      for (const secret of secretValues) expect(dump).not.toContain(secret);
      for (const name of ["LLM_API_KEY", "LLM_BASE_URL", "AUTH_SECRET", "DATABASE_URL", "REDIS_URL", "PADDOCK_SERVER_ONLY_MARKER"]) {
        expect(dump).not.toContain(`${name}=`);
      }
    }
    expect(namesIn(env, "\n").filter((name) => !ALLOWED.has(name))).toEqual([]);
    expect(namesIn(dumps[1]!, "\0").filter((name) => !ALLOWED.has(name))).toEqual([]);
    // The run's own variables are there, and home and temp are the sandbox's, not the server's.
    expect(env).toContain(`PADDOCK_RUN_ID=${id}`);
    expect(env).toMatch(/^PADDOCK_TOKEN=pdkrun/m);
    expect(env).toContain(`HOME=${work}\n`);
    expect(env).toContain(`TMPDIR=${work}\n`);

    await user.caller.run.cancel({ id });
    await waitForRun(id, ["canceled"]);
  });

  it("lets the reference llm agent reach the model through the bridge, on the server's key, charging the run", async () => {
    const agent = await db.agent.create({
      data: {
        slug: `llm-bridge-${Date.now()}`,
        name: "LLM via bridge",
        model: "stand-in-model",
        runtime: REFERENCE_RUNTIME,
        policy: "llm",
      },
    });
    // LLM agents are for operators until an admin opens them.
    const user = await makeUser({ role: "operator" });
    const { id } = await launchLocal(user, { goal: "Claim nothing", agentId: agent.id, agentConfig: { stepMs: 50, maxSteps: 3 } });
    llmCalls.length = 0;
    const run = await waitForRun(id, ["succeeded", "failed", "canceled", "expired"]);

    // Three claims of success at 0 of 10 points: none is reported, the agent gives up.
    expect(run.status).toBe("failed");
    expect(llmCalls).toEqual(Array.from({ length: 3 }, () => ({ auth: `Bearer ${SERVER_SECRETS.LLM_API_KEY}`, model: "stand-in-model" })));
    // 1,000 tokens a call at the default 1 credit per 1,000.
    expect(run.creditsSpent).toBe(3);
    const ignored = await db.runEvent.count({
      where: { runId: id, kind: "log", payload: { path: ["message"], string_starts_with: "Ignored the model's claim of success" } },
    });
    expect(ignored).toBe(3);
  });
});
