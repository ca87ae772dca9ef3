// The raw pool keeps one plan per statement for a connection's life (server/lib/pg.ts). The result
// statement's plan, made on an empty database as a fresh install's first results make it, must
// still end attempts through task_attempts' primary key: a plan that scanned the table whole was
// chosen while it was small and kept as it grew (in bench:dispatch, a scan of every attempt so far
// on each result statement).
import { describe, expect, it } from "vitest";

const { pgPool } = await import("../../lib/pg");
const { FINISH_SQL } = await import("./finish-sql");

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
      const client = await pgPool().connect();
      let plan: string;
      try {
        await client.query(`PREPARE finish_plan AS ${FINISH_SQL[by]}`);
        const { rows } = await client.query<{ "QUERY PLAN": string }>(
          `EXPLAIN (COSTS OFF) EXECUTE finish_plan('{succeeded}', '{ok}', '{NULL}', '{NULL}', '{NULL}', '{0}', '{0}', now(), '{1000}', '{a}', '{b}')`,
        );
        plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
      } finally {
        await client.query(`DEALLOCATE finish_plan`);
        client.release();
      }
      const ended = plan.slice(plan.indexOf("CTE ended"), plan.indexOf("CTE performance"));
      expect(ended).toContain("Update on task_attempts");
      expect(ended).toMatch(/Index Scan using task_attempts_pkey/);
      expect(ended).not.toMatch(/Seq Scan/);
    },
  );
});
