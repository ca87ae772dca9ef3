// listRuns' order, cursor and filters: newest first by (createdAt, id), pages that continue exactly
// after their cursor (ties in createdAt included, and when the cursor run has left the filter),
// and the filters combined with the visibility rule.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../betting/fixtures";
import { createWorkspace } from "../workspaces/workspaces";
import { listRuns, type ListRunsInput } from "./queries";

async function teamWithRuns(count: number, opts: { model?: string } = {}) {
  const owner = await makeUser();
  const team = await createWorkspace(db, { userId: owner.id, name: "Paging team" });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const visibility = i % 2 === 0 ? "public" : "workspace";
    ids.push((await makeRun(db, { createdById: owner.id, workspaceId: team.id, visibility, ...opts })).runId);
  }
  return { owner, viewer: { id: owner.id, role: owner.role }, team, ids };
}

/** Every page of the list, `limit` at a time; checks each page's cursor is its last item. */
async function allPages(input: Omit<ListRunsInput, "cursor">, between?: (cursor: string) => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listRuns(db, pgPool(), { ...input, cursor });
    ids.push(...page.items.map((r) => r.id));
    if (!page.nextCursor) break;
    // The cursor is the last run's (createdAt, id).
    const last = page.items[page.items.length - 1]!;
    expect(page.nextCursor).toBe(`${last.createdAt.getTime()}:${last.id}`);
    await between?.(page.nextCursor);
    cursor = page.nextCursor;
  }
  return ids;
}

describe("listRuns", () => {
  it("pages newest first by createdAt then id, without gaps or repeats when runs share a createdAt", async () => {
    const { viewer, team, ids } = await teamWithRuns(9);
    // Four runs created in the same millisecond: only the id orders them.
    const tie = new Date("2026-11-30T12:00:00.000Z");
    await db.run.updateMany({ where: { id: { in: ids.slice(2, 6) } }, data: { createdAt: tie } });
    await db.run.update({ where: { id: ids[8]! }, data: { createdAt: new Date("2026-11-01T00:00:00.000Z") } });
    const expected = (
      await db.run.findMany({ where: { workspaceId: team.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } })
    ).map((r) => r.id);
    expect(expected.at(-1)).toBe(ids[8]);
    for (const limit of [1, 2, 4, 9, 10]) {
      expect({ limit, ids: await allPages({ viewer, workspaceId: team.id, limit }) }).toEqual({ limit, ids: expected });
    }
  });

  it("takes a bare run id as the cursor too, as far as the viewer may see that run", async () => {
    const { viewer, team } = await teamWithRuns(6);
    const outsider = await makeUser();
    const asOutsider = { id: outsider.id, role: outsider.role };
    const all = await allPages({ viewer, workspaceId: team.id, limit: 10 });
    const runs = await db.run.findMany({ where: { id: { in: all } }, select: { id: true, visibility: true, createdAt: true } });
    const byId = new Map(runs.map((r) => [r.id, r]));
    const k = all.findIndex((id, i) => i < all.length - 2 && byId.get(id)!.visibility === "workspace");
    expect(k).toBeGreaterThanOrEqual(0);
    const privateRun = byId.get(all[k]!)!;

    const fromId = await listRuns(db, pgPool(), { viewer, workspaceId: team.id, limit: 10, cursor: privateRun.id });
    expect(fromId.items.map((r) => r.id)).toEqual(all.slice(k + 1));
    // To an outsider a private run is no cursor at all…
    expect(await listRuns(db, pgPool(), { viewer: asOutsider, workspaceId: team.id, limit: 10, cursor: privateRun.id })).toEqual({
      items: [],
      nextCursor: null,
    });
    // …and its position, written as a cursor, bounds only the runs the outsider may see anyway.
    const atPosition = await listRuns(db, pgPool(), {
      viewer: asOutsider,
      workspaceId: team.id,
      limit: 10,
      cursor: `${privateRun.createdAt.getTime()}:${privateRun.id}`,
    });
    expect(atPosition.items.map((r) => r.id)).toEqual(all.slice(k + 1).filter((id) => byId.get(id)!.visibility === "public"));
  });

  it("continues after a cursor run that has left the filter meanwhile", async () => {
    const { viewer, team, ids } = await teamWithRuns(6);
    const expected = (
      await db.run.findMany({ where: { workspaceId: team.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } })
    ).map((r) => r.id);
    expect(ids.sort()).toEqual([...expected].sort());
    // Each page's last run finishes before the next page is read: the next page still starts right after it.
    const listed = await allPages({ viewer, workspaceId: team.id, status: ["running"], limit: 2 }, async (cursor) => {
      await db.run.update({ where: { id: cursor.split(":")[1] }, data: { status: "succeeded" } });
    });
    expect(listed).toEqual(expected);
  });

  it("combines status, model, creator, goal and workspace filters with the visibility rule", async () => {
    const a = await teamWithRuns(4, { model: "list-model-a" });
    const b = await teamWithRuns(2, { model: "list-model-b" });
    const outsider = await makeUser();
    const asOutsider = { id: outsider.id, role: outsider.role };
    await db.run.update({ where: { id: a.ids[0]! }, data: { status: "failed", goal: "list filters goal" } });
    const ids = async (input: Omit<ListRunsInput, "limit">) =>
      (await listRuns(db, pgPool(), { ...input, limit: 100 })).items.map((r) => r.id).sort();

    // a.ids: 0 and 2 public, 1 and 3 private.
    expect(await ids({ viewer: a.viewer, workspaceId: a.team.id })).toEqual([...a.ids].sort());
    expect(await ids({ viewer: asOutsider, workspaceId: a.team.id })).toEqual([a.ids[0]!, a.ids[2]!].sort());
    expect(await ids({ viewer: a.viewer, model: "list-model-a" })).toEqual([...a.ids].sort());
    expect(await ids({ viewer: asOutsider, model: "list-model-a" })).toEqual([a.ids[0]!, a.ids[2]!].sort());
    expect(await ids({ viewer: asOutsider, model: "list-model-b" })).toEqual([b.ids[0]!]);
    expect(await ids({ viewer: a.viewer, createdById: b.owner.id })).toEqual([b.ids[0]!]);
    expect(await ids({ viewer: b.viewer, createdById: b.owner.id })).toEqual([...b.ids].sort());
    expect(await ids({ viewer: a.viewer, workspaceId: a.team.id, status: ["failed"] })).toEqual([a.ids[0]!]);
    expect(await ids({ viewer: a.viewer, goal: "list filters goal" })).toEqual([a.ids[0]!]);
    expect(await ids({ viewer: a.viewer, workspaceId: b.team.id, model: "list-model-a" })).toEqual([]);
    expect(await ids({ viewer: null })).toEqual([]);
  });
});
