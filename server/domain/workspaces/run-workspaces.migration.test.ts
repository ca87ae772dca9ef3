// The run-workspaces migration puts every existing run in its creator's personal workspace, public
// (every run was visible to everyone before), and then requires a workspace of every run: run on a
// database migrated up to the migration before the workspaces one, holding runs Paddock wrote then.
import { describe, expect, it } from "vitest";
import { migrationNames, migrationSql, scratchDatabase, withClient } from "../../test/migration-scratch";

const MIGRATION = "20261202190000_run_workspaces";

describe(`migration ${MIGRATION}`, () => {
  it("puts every existing run, public, in its creator's personal workspace and then requires a workspace", async () => {
    const url = await scratchDatabase("runwsmig");
    const all = await migrationNames();
    const before = all.filter((d) => d < "20261202180000_workspaces");
    const upTo = all.filter((d) => d >= "20261202180000_workspaces" && d <= MIGRATION);
    expect(upTo.at(-1)).toBe(MIGRATION);
    const users = ["cm0lduser00000000000000001", "cm0lduser00000000000000002"];
    const runs = [
      ["cm0ldrun000000000000000001", users[0]],
      ["cm0ldrun000000000000000002", users[0]],
      ["cm0ldrun000000000000000003", users[1]],
    ] as const;
    await withClient(url, async (c) => {
      for (const m of before) await c.query(await migrationSql(m));
      for (const [i, id] of users.entries()) {
        await c.query(`INSERT INTO "users" ("id", "email", "name", "updatedAt") VALUES ($1, $2, $3, now())`, [
          id,
          `old${i}@example.test`,
          `Old ${i}`,
        ]);
      }
      await c.query(`INSERT INTO "agent_profiles" ("id", "slug", "name", "model") VALUES ('prof', 'old', 'Old', 'old-model')`);
      for (const [id, by] of runs) {
        await c.query(
          `INSERT INTO "sandboxes" ("id", "goal", "metric", "targetValue", "agentProfileId", "durationMinutes", "idleTimeoutMinutes", "createdById", "updatedAt")
           VALUES ($1, 'old goal', 'points', 10, 'prof', 30, 15, $2, now())`,
          [id, by],
        );
      }
      for (const m of upTo) await c.query(await migrationSql(m));
    });

    await withClient(url, async (c) => {
      const { rows } = await c.query<{ id: string; visibility: string; personal: boolean; owner: boolean }>(
        `SELECT s.id, s.visibility::text AS visibility, w.personal, w."createdById" = s."createdById" AS owner
           FROM "sandboxes" s JOIN "workspaces" w ON w.id = s."workspaceId" ORDER BY s.id`,
      );
      expect(rows).toEqual(runs.map(([id]) => ({ id, visibility: "public", personal: true, owner: true })));
      // From now on a run needs a workspace.
      await expect(
        c.query(
          `INSERT INTO "sandboxes" ("id", "goal", "metric", "targetValue", "agentProfileId", "durationMinutes", "idleTimeoutMinutes", "createdById", "updatedAt")
           VALUES ('homeless', 'g', 'm', 1, 'prof', 30, 15, $1, now())`,
          [users[0]],
        ),
      ).rejects.toThrow(/workspaceId/);
    });
  });
});
