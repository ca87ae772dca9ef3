// What an agent can see of the server: a run on the local provider whose runtime dumps every
// environment it can read. It must hold the run's own variables and nothing of the server's.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Before server/config.ts is imported: secrets the server holds, each with a recognizable value.
const SERVER_SECRETS = {
  LLM_API_KEY: "sk-llm-secret-7c1e",
  LLM_BASE_URL: "http://127.0.0.1:9/llm-secret-base",
  AUTH_SECRET: "auth-secret-0123456789-0123456789-abcdef",
  PADDOCK_SERVER_ONLY_MARKER: "server-marker-5d2b",
};
Object.assign(process.env, SERVER_SECRETS);

const { config } = await import("../../config");
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { useTestPaddock, waitUntil, waitForRun } = await import("../../test/paddock-harness");

const ctx = useTestPaddock();

/** What the agent may find in its environment: the run's variables and shell/sandbox basics. */
const ALLOWED = new Set(["PADDOCK_BRIDGE_URL", "PADDOCK_TOKEN", "PADDOCK_RUN_ID", "PADDOCK_POLICY", "PADDOCK_MODEL", "PADDOCK_AGENT_CONFIG", "PATH", "HOME", "TMPDIR", "PWD", "OLDPWD", "SHLVL", "_"]);

const DUMP =
  "env > env.txt; cat /proc/self/environ > self-environ.txt; cat /proc/$PPID/environ > parent-environ.txt; " +
  "cat /proc/1/environ > init-environ.txt 2>/dev/null; echo done > dumped.txt; exec sleep 60";

const namesIn = (dump: string, separator: string) =>
  dump.split(separator).filter(Boolean).map((line) => line.slice(0, line.indexOf("=")));

describe("the environment of an agent", () => {
  it("holds the run's variables and none of the server's", async () => {
    const profile = await db.agentProfile.create({
      data: { slug: `env-dump-${Date.now()}`, name: "Env dump", model: "none", runtime: DUMP, policy: "demo" },
    });
    const user = await makeUser();
    const { id } = await user.caller.sandbox.create({
      goal: "Show what I can see",
      metric: "points",
      targetValue: 10,
      agentProfileId: profile.id,
      durationMinutes: 60,
      credits: 100,
      provider: "local",
    });
    const work = path.resolve(config.DATA_DIR, "sandboxes", id, "work");
    await waitUntil(async () => existsSync(path.join(work, "dumped.txt")), "the agent's environment dump", 30_000);

    const env = readFileSync(path.join(work, "env.txt"), "utf8");
    const dumps = ["env.txt", "self-environ.txt", "parent-environ.txt", "init-environ.txt"].map((f) => readFileSync(path.join(work, f), "utf8"));
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

    await user.caller.sandbox.cancel({ id });
    await waitForRun(id, ["canceled"]);
  });
});
