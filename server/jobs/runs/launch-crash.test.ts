// A worker killed with SIGKILL in the middle of a launch: once a worker is back, the run ends in
// exactly one state and exactly one sandbox exists for it.
import { describe, expect, it } from "vitest";
import { useApiWithKillableWorkers, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, { WORKER_LOCK_MS: "2000", LAUNCH_BACKOFF_MS: "100" });

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { ensureBuiltinAgents } = await import("../../domain/agents/builtin");
const { getProvider } = await import("../../providers");
const { config } = await import("../../config");

// The API runs here; workers run in child processes this test can kill.
const paddock = useApiWithKillableWorkers();

describe("a worker killed during a launch", () => {
  it("leaves one run state and one sandbox after a restart", async () => {
    const agentId = (await ensureBuiltinAgents(db)).find((p) => p.slug === "demo-gpt")!.id;
    const first = await paddock.spawnWorker();
    const user = await makeUser();
    const { id } = await user.caller.run.create({
      goal: "Survive a crash",
      metric: "points",
      targetValue: 1000,
      agentId,
      durationMinutes: 600,
      credits: 200,
      agentConfig: { stepMs: 300, progressPerStep: 1 },
    });
    await waitUntil(async () => (await db.run.findUniqueOrThrow({ where: { id } })).status === "booting", "booting", 60_000, 5);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const atKill = await db.run.findUniqueOrThrow({ where: { id } });
    expect(["booting", "running"]).toContain(atKill.status);

    const second = await paddock.spawnWorker();
    const run = await waitUntil(
      async () => {
        const r = await db.run.findUniqueOrThrow({ where: { id } });
        return r.status === "running" && (await db.runEvent.count({ where: { runId: id, kind: "progress" } })) >= 2 ? r : null;
      },
      "the run to be running with progress",
      60_000,
    );
    const sandboxes = await getProvider("local", { dataDir: config.DATA_DIR }).list({ "paddock.run": id });
    expect(sandboxes).toHaveLength(1);
    expect(sandboxes[0]!.providerId).toBe(run.providerId);
    const statuses = await db.runEvent.findMany({
      where: { runId: id, kind: "status" },
      orderBy: { seq: "asc" },
      select: { payload: true },
    });
    expect(statuses.map((s) => (s.payload as { to: string }).to)).toEqual(["booting", "running"]);
    await user.caller.run.cancel({ id });
    second.kill("SIGTERM");
  });
});
