// The specialization vocabulary's data migration, run again over rows stored with the older words:
// agents and tasks take the new ones; other words are left as they are.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { personalWorkspaceId } from "../workspaces/personal";
import { migrationSql } from "../../test/migration-scratch";

describe("migration 20261203020000_specialization_vocabulary", () => {
  it("renames the older words of agents and tasks", async () => {
    const user = await makeUser();
    const workspaceId = (await personalWorkspaceId(db, user.id))!;
    const project = await db.project.create({ data: { workspaceId, name: "Old words", createdById: user.id } });
    const words = ["research", "coding", "review", "design", "writing", "outreach", "translator"];
    const agents = await Promise.all(
      words.map((specialization) =>
        db.agent.create({ data: { slug: `old-${specialization}`, name: specialization, model: "m", specialization, workspaceId } }),
      ),
    );
    const tasks = await Promise.all(
      words.map((requiredSpecialization) =>
        db.task.create({ data: { projectId: project.id, workspaceId, title: "t", requiredSpecialization, createdById: user.id } }),
      ),
    );
    await db.$executeRawUnsafe(await migrationSql("20261203020000_specialization_vocabulary"));
    const renamed = ["researcher", "coder", "reviewer", "designer", "writer", "outreach", "translator"];
    expect(await Promise.all(agents.map(async (a) => (await db.agent.findUniqueOrThrow({ where: { id: a.id } })).specialization))).toEqual(
      renamed,
    );
    expect(
      await Promise.all(tasks.map(async (t) => (await db.task.findUniqueOrThrow({ where: { id: t.id } })).requiredSpecialization)),
    ).toEqual(renamed);
  });
});
