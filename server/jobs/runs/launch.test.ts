// Launch retries and cleanup, against real providers: the Daytona provider through the real SDK
// and the local Daytona stand-in (for injected failures), and the local provider.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { startDaytonaStandin, type DaytonaStandin } from "../../providers/daytona-standin";
import { useTestPaddock, waitForRun, waitUntil } from "../../test/paddock-harness";

const standin: DaytonaStandin = await startDaytonaStandin();
Object.assign(process.env, {
  DAYTONA_API_KEY: standin.apiKey,
  DAYTONA_API_URL: standin.url,
  LAUNCH_BACKOFF_MS: "100",
  LAUNCH_ATTEMPTS: "3",
  DAYTONA_FOR_MEMBERS: "true", // the launches below are by members
});

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { checkLedger, balanceOf, userAccountKey } = await import("../../domain/ledger");

const ctx = useTestPaddock();
afterAll(() => standin.close());

describe("launch", () => {
  it("retries a provider that fails twice and ends running", async () => {
    standin.state.failNextCreates = 2;
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Launch on Daytona",
      metric: "points",
      targetValue: 1000,
      agentId: ctx.agentId,
      durationMinutes: 60,
      credits: 100,
      provider: "daytona",
      agentConfig: { stepMs: 500, progressPerStep: 1 },
    });
    const run = await waitForRun(id, ["running", "succeeded", "failed", "canceled", "expired"], 30_000);
    expect(run.status).toBe("running");
    expect(standin.state.failNextCreates).toBe(0);
    expect(standin.state.requests.filter((r) => r.startsWith("POST /api/sandbox")).length).toBeGreaterThanOrEqual(3);
    // The agent inside really talks to the bridge.
    await waitUntil(
      async () => (await db.runEvent.count({ where: { runId: id, kind: "progress" } })) > 0,
      "progress from the agent",
      20_000,
    );
    await user.caller.run.cancel({ id });
  });

  it("marks a launch that always fails as failed with the provider's message, leaving nothing behind", async () => {
    standin.state.failNextCreates = 100;
    const user = await makeUser({ grant: 5_000 });
    const { id } = await user.caller.run.create({
      goal: "Never launches",
      metric: "points",
      targetValue: 10,
      agentId: ctx.agentId,
      durationMinutes: 60,
      credits: 300,
      provider: "daytona",
    });
    const run = await waitForRun(id, ["failed"], 30_000);
    standin.state.failNextCreates = 0;
    expect(run.error).toMatch(/Injected failure: sandbox creation/);
    expect(run.statusReason).toBe("launch failed");
    const leftovers = [...standin.state.sandboxes.values()].filter((s) => s.labels["paddock.run"] === id);
    expect(leftovers).toEqual([]);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(5_000);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("fails a local run whose runtime dies at start, and removes its directory", async () => {
    const broken = await db.agent.create({
      data: { slug: `broken-${Date.now()}`, name: "Broken", model: "none", runtime: "definitely-not-a-command --flag", policy: "demo" },
    });
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Broken runtime",
      metric: "points",
      targetValue: 10,
      agentId: broken.id,
      durationMinutes: 60,
      credits: 100,
    });
    const run = await waitForRun(id, ["failed"], 30_000);
    expect(run.error).toMatch(/exited with code 127/);
    expect(existsSync(path.resolve(process.env.DATA_DIR!, "sandboxes", id))).toBe(false);
  });
});
