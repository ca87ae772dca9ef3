// An API process prepares the agent API's statements on the raw pool's first connections at start
// (lib/pg.ts, warmPgPool; server/main.ts): each of those connections holds them, and running them
// to prepare them changed nothing.
import { describe, expect, it } from "vitest";

const { db } = await import("./db");
const { pgPool, warmPgPool } = await import("./pg");
const { agentApiWarmUp } = await import("../bridge/agent-api/routes");
const { makeUser } = await import("../test/helpers");

const rowCounts = async () => ({
  agents: await db.agent.count(),
  keys: await db.agentKey.count(),
  tasks: await db.task.count(),
  attempts: await db.taskAttempt.count(),
  heartbeats: await db.agent.count({ where: { heartbeatAt: { not: null } } }),
});

describe("the raw pool warmed at start", () => {
  it("keeps its first connections open with the agent API's statements prepared, changing nothing", async () => {
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Warm" })).id;
    await owner.caller.agent.create({ workspaceId, name: "Idle", kind: "external" });
    const before = await rowCounts();

    await warmPgPool(agentApiWarmUp);
    expect(pgPool().idleCount).toBeGreaterThanOrEqual(4);
    const clients = await Promise.all(Array.from({ length: 4 }, () => pgPool().connect()));
    try {
      for (const client of clients) {
        const { rows } = await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements`);
        expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(agentApiWarmUp.map((s) => s.name)));
      }
    } finally {
      for (const client of clients) client.release();
    }
    expect(await rowCounts()).toEqual(before);
  });
});
