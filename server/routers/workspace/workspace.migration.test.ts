// The workspaces migration gives every existing user the personal workspace registerUser gives a
// new one: run on a database migrated up to the migration before it, holding users inserted the
// way Paddock wrote them then.
import { describe, expect, it } from "vitest";
import { migrationNames, migrationSql, scratchDatabase, withClient } from "../../test/migration-scratch";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { PERSONAL_WORKSPACE_NAME, personalSlug } from "../../domain/workspaces/personal";

const MIGRATION = "20261202180000_workspaces";

describe(`migration ${MIGRATION}`, () => {
  it("gives every existing user exactly one personal workspace they own, shaped as registerUser's", async () => {
    const url = await scratchDatabase("wsmig");
    const earlier = (await migrationNames()).filter((d) => d < MIGRATION);
    expect(earlier.length).toBeGreaterThan(0);
    const ids = ["cm0lduser00000000000000001", "cm0lduser00000000000000002", "cm0lduser00000000000000003"];
    await withClient(url, async (c) => {
      for (const m of earlier) await c.query(await migrationSql(m));
      for (const [i, id] of ids.entries()) {
        await c.query(`INSERT INTO "users" ("id", "email", "name", "updatedAt") VALUES ($1, $2, $3, now())`, [
          id,
          `old${i}@example.test`,
          `Old ${i}`,
        ]);
      }
    });
    // Applied by a session in another zone: the timestamps it writes are still UTC.
    const startedAt = Date.now();
    await withClient(url, async (c) => {
      await c.query(`SET TimeZone = 'Asia/Tokyo'`);
      await c.query(await migrationSql(MIGRATION));
    });

    await withClient(url, async (c) => {
      const { rows } = await c.query<{ userId: string; name: string; slug: string; role: string; members: number; createdAt: Date }>(
        `SELECT w."createdById" AS "userId", w.name, w.slug, m.role::text AS role, w."createdAt",
                (SELECT count(*)::int FROM "workspace_members" x WHERE x."workspaceId" = w.id) AS members
           FROM "workspaces" w JOIN "workspace_members" m ON m."workspaceId" = w.id AND m."userId" = w."createdById"
          WHERE w.personal ORDER BY w."createdById"`,
      );
      expect(rows.map(({ createdAt: _c, ...r }) => r)).toEqual(
        ids.map((id) => ({ userId: id, name: PERSONAL_WORKSPACE_NAME, slug: personalSlug(id), role: "owner", members: 1 })),
      );
      for (const r of rows) expect(Math.abs(r.createdAt.getTime() - startedAt)).toBeLessThan(60_000);
      // One per user: the index refuses a second.
      await expect(
        c.query(
          `INSERT INTO "workspaces" ("id", "name", "slug", "personal", "createdById", "updatedAt") VALUES ('x', 'Again', 'again', true, $1, now())`,
          [ids[0]],
        ),
      ).rejects.toThrow(/workspaces_one_personal_per_user/);
    });
  });

  it("and registerUser makes the same for a new user", async () => {
    const u = await makeUser();
    const personal = await db.workspace.findMany({
      where: { createdById: u.id, personal: true },
      select: { name: true, slug: true, members: { select: { userId: true, role: true } } },
    });
    expect(personal).toEqual([{ name: PERSONAL_WORKSPACE_NAME, slug: personalSlug(u.id), members: [{ userId: u.id, role: "owner" }] }]);
  });
});
