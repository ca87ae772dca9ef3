// The runs-and-agents migration renames (sandboxes → runs, sandbox_events → run_events,
// agent_profiles → agents, sandboxId → runId, agentProfileId → agentId, the status enum): run on
// a database migrated up to the migration before it, holding rows Paddock wrote then, it keeps
// every row, and the keys, sequence and enum keep working under their new names.
import { describe, expect, it } from "vitest";
import { migrationNames, migrationSql, scratchDatabase, withClient } from "../../test/migration-scratch";

describe("migration *_runs_and_agents", () => {
  it("keeps every run, event, prompt, pool and agent under the new names", async () => {
    const url = await scratchDatabase("runsagentsmig");
    const all = await migrationNames();
    const rename = all.find((d) => d.endsWith("_runs_and_agents"));
    expect(rename).toBeDefined();
    const before = all.filter((d) => d < rename!);
    const upTo = all.filter((d) => d >= rename!);

    await withClient(url, async (c) => {
      for (const m of before) await c.query(await migrationSql(m));
      await c.query(`INSERT INTO "users" ("id", "email", "name", "updatedAt") VALUES ('u1', 'old@example.test', 'Old', now())`);
      await c.query(
        `INSERT INTO "workspaces" ("id", "name", "slug", "personal", "createdById", "updatedAt") VALUES ('w1', 'Old', 'personal-u1', true, 'u1', now())`,
      );
      await c.query(
        `INSERT INTO "agent_profiles" ("id", "slug", "name", "model", "verifier") VALUES ('a1', 'old', 'Old', 'old-model', 'echo 1')`,
      );
      await c.query(
        `INSERT INTO "sandboxes" ("id", "goal", "metric", "targetValue", "agentProfileId", "durationMinutes", "idleTimeoutMinutes", "createdById", "updatedAt", "workspaceId", "status")
         VALUES ('r1', 'old goal', 'points', 10, 'a1', 30, 15, 'u1', now(), 'w1', 'running')`,
      );
      for (const seq of [1, 2, 3]) {
        await c.query(
          `INSERT INTO "sandbox_events" ("sandboxId", "seq", "kind", "payload") VALUES ('r1', $1, 'log', '{"message": "old"}')`,
          [seq],
        );
      }
      await c.query(`INSERT INTO "prompt_injections" ("id", "sandboxId", "text", "createdById") VALUES ('p1', 'r1', 'faster', 'u1')`);
      await c.query(`INSERT INTO "ledger_accounts" ("id", "key", "kind") VALUES ('l1', 'pool:pool1', 'pool')`);
      await c.query(`INSERT INTO "pools" ("id", "sandboxId", "ledgerAccountId") VALUES ('pool1', 'r1', 'l1')`);
      for (const m of upTo) await c.query(await migrationSql(m));
    });

    await withClient(url, async (c) => {
      const run = await c.query(`SELECT id, "agentId", status::text AS status, goal FROM "runs"`);
      expect(run.rows).toEqual([{ id: "r1", agentId: "a1", status: "running", goal: "old goal" }]);
      expect((await c.query(`SELECT id, verifier FROM "agents"`)).rows).toEqual([{ id: "a1", verifier: "echo 1" }]);
      const events = await c.query<{ id: string; runId: string; seq: number }>(`SELECT id, "runId", seq FROM "run_events" ORDER BY seq`);
      expect(events.rows.map((e) => [e.runId, e.seq])).toEqual([
        ["r1", 1],
        ["r1", 2],
        ["r1", 3],
      ]);
      expect((await c.query(`SELECT "runId" FROM "prompt_injections"`)).rows).toEqual([{ runId: "r1" }]);
      expect((await c.query(`SELECT "runId" FROM "pools"`)).rows).toEqual([{ runId: "r1" }]);
      for (const old of ["sandboxes", "sandbox_events", "agent_profiles"]) {
        expect((await c.query(`SELECT to_regclass($1) AS t`, [old])).rows[0].t).toBeNull();
      }

      // The enum, the sequence, the unique key and the foreign keys work under their new names.
      await c.query(`UPDATE "runs" SET status = 'succeeded'::"RunStatus" WHERE id = 'r1'`);
      const next = await c.query<{ id: string }>(
        `INSERT INTO "run_events" ("runId", "seq", "kind", "payload") VALUES ('r1', 4, 'log', '{}') RETURNING id`,
      );
      expect(BigInt(next.rows[0]!.id)).toBeGreaterThan(BigInt(events.rows.at(-1)!.id));
      await expect(c.query(`INSERT INTO "run_events" ("runId", "seq", "kind", "payload") VALUES ('r1', 4, 'log', '{}')`)).rejects.toThrow(
        /run_events_runId_seq_key/,
      );
      await expect(c.query(`INSERT INTO "run_events" ("runId", "seq", "kind", "payload") VALUES ('nope', 1, 'log', '{}')`)).rejects.toThrow(
        /run_events_runId_fkey/,
      );
      await expect(c.query(`DELETE FROM "agents" WHERE id = 'a1'`)).rejects.toThrow(/runs_agentId_fkey/);
    });
  });
});
