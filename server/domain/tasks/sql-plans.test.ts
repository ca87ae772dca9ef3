// The raw pool keeps one plan per statement for a connection's life (server/lib/pg.ts), made with
// the statistics of the moment. Plans that must hold whatever the tables look like later:
// - the result statement's, made on an empty database as a fresh install's first results make it,
//   still ends attempts through task_attempts' primary key: a plan that scanned the table whole was
//   chosen while it was small and kept as it grew (in bench:dispatch, a scan of every attempt so
//   far on each result statement);
// - the agent key look-up's, made on an empty database, finds keys and agents by their unique
//   indexes (a fleet's keys are looked up together, whatever the tables have grown to);
// - the claim statement's, made while the statistics say thousands of tasks are ready, still finds
//   nothing without scanning the tasks when none is ready any more: its "a task out of reach?"
//   search scanned the whole table once for each agent that got nothing (in bench:dispatch, 60–110
//   ms claim statements as the queue emptied, with every agent waiting behind them).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";

const { db } = await import("../../lib/db");
const { pgPool } = await import("../../lib/pg");
const { makeUser } = await import("../../test/helpers");
const { FINISH_SQL } = await import("./finish-sql");
const { CLAIM_SQL } = await import("./claim-sql");
const { AGENT_KEYS_SQL } = await import("../agents/keys-sql");

/** The plan the pool's sessions use for `sql` with these values, run (ANALYZE) and rolled back. */
async function planOf(sql: string, values: string, analyze: boolean): Promise<string> {
  const client = await pgPool().connect();
  try {
    await client.query("BEGIN");
    await client.query(`PREPARE plan_under_test AS ${sql}`);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN (${analyze ? "ANALYZE, " : ""}COSTS OFF) EXECUTE plan_under_test(${values})`,
    );
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("ROLLBACK");
    await client.query("DEALLOCATE plan_under_test");
    client.release();
  }
}

describe("the raw pool's plans", () => {
  it("its sessions keep generic plans, in UTC", async () => {
    const { rows } = await pgPool().query<{ mode: string; zone: string }>(
      `SELECT current_setting('plan_cache_mode') AS mode, current_setting('TimeZone') AS zone`,
    );
    expect(rows[0]).toEqual({ mode: "force_generic_plan", zone: "UTC" });
  });

  it.each(["agent", "attempt"] as const)(
    "the result statement (by %s), planned on empty tables, ends attempts by primary key",
    async (by) => {
      expect(await pgPool().query(`SELECT count(*)::int AS n FROM task_attempts`)).toMatchObject({ rows: [{ n: 0 }] });
      // Prepared and run the way the pool runs it: one plan for any values (plan_cache_mode above).
      const plan = await planOf(
        FINISH_SQL[by],
        `'{succeeded}', '{ok}', '{NULL}', '{NULL}', '{NULL}', '{0}', '{0}', now(), '{1000}', '{a}', '{b}'`,
        false,
      );
      const ended = plan.slice(plan.indexOf("CTE ended"), plan.indexOf("CTE performance"));
      expect(ended).toContain("Update on task_attempts");
      expect(ended).toMatch(/Index Scan using task_attempts_pkey/);
      expect(ended).not.toMatch(/Seq Scan/);
    },
  );

  it("the agent key look-up, planned on empty tables, finds keys and agents by their unique indexes", async () => {
    const plan = await planOf(AGENT_KEYS_SQL, `'{a,b}'`, false);
    expect(plan).toMatch(/Index Scan (using|on) "agent_keys_keyHash_key"/);
    expect(plan).toMatch(/Index Scan using agents_pkey on agents/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it("the claim statement, planned while thousands of tasks are ready, finds none ready without scanning the tasks", async () => {
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Plans" })).id;
    const projectId = (await owner.caller.project.create({ workspaceId, name: "Queue", brief: "Work." })).id;
    const agentId = (await owner.caller.agent.create({ workspaceId, name: "Poller", kind: "external" })).id;
    await db.task.createMany({
      data: Array.from({ length: 3_000 }, (_, i) => ({
        projectId,
        workspaceId,
        title: `task ${i}`,
        status: "ready" as const,
        createdById: owner.id,
      })),
    });
    await db.$executeRawUnsafe(`ANALYZE tasks`);
    // The queue empties after the statistics were taken (as it does between two ANALYZEs).
    await db.task.updateMany({ where: { workspaceId }, data: { status: "done" } });

    const plan = await planOf(CLAIM_SQL, `ARRAY['${agentId}'], '${workspaceId}', ARRAY['${randomUUID()}'], ARRAY[300]`, true);
    expect(plan).toMatch(/Index Scan using tasks_ready_queue_idx on tasks/);
    expect(plan).not.toMatch(/Seq Scan on tasks/);
  });
});
