// The run visibility rule against one table: every kind of viewer × a public and a workspace run,
// answered in each of its forms — canSeeRun (one run), visibleRunsWhere (Prisma lists),
// visibleRunsSql ($queryRaw aggregates), visibleRunSqlText (placeBet's pg statement) and mayView
// (facts already loaded) — which must all agree.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../betting/fixtures";
import { createWorkspace } from "./workspaces";
import {
  canSeeRun,
  mayView,
  RUN_SEEING_MEMBER,
  seesEveryRun,
  visibleRunSqlText,
  visibleRunsSql,
  visibleRunsWhere,
  type Viewer,
} from "./visibility";
import { Prisma } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import type { WorkspaceRole } from "@shared/workspace-rules";

type Who = "anonymous" | "outsider" | "viewer" | "member" | "admin" | "client" | "owner" | "operator" | "siteAdmin";

const EXPECTED: Record<Who, { public: boolean; workspace: boolean }> = {
  anonymous: { public: false, workspace: false },
  outsider: { public: true, workspace: false },
  viewer: { public: true, workspace: true },
  member: { public: true, workspace: true },
  admin: { public: true, workspace: true },
  owner: { public: true, workspace: true },
  // A client of the workspace (a guest) sees its projects shared with them in the portal, never its runs.
  client: { public: true, workspace: false },
  // Site operators and admins steer and cancel any run, so they see every run (not the workspace itself).
  operator: { public: true, workspace: true },
  siteAdmin: { public: true, workspace: true },
};

async function world() {
  const owner = await makeUser();
  const ws = await createWorkspace(db, { userId: owner.id, name: "Visibility team" });
  const joined = async (role: WorkspaceRole) => {
    const u = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: u.id, role } });
    return u;
  };
  const [viewer, member, admin, client, outsider, operator, siteAdmin] = await Promise.all([
    joined("viewer"),
    joined("member"),
    joined("admin"),
    joined("client"),
    makeUser(),
    makeUser({ role: "operator" }),
    makeUser({ role: "admin" }),
  ]);
  const publicRun = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "public" });
  const workspaceRun = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "workspace" });
  // Another team's private run: nobody above but the site roles may see it.
  const elsewhere = await makeUser();
  const otherRun = await makeRun(db, { createdById: elsewhere.id, visibility: "workspace" });
  const viewers: Record<Who, Viewer | null> = { anonymous: null, outsider, viewer, member, admin, client, owner, operator, siteAdmin };
  return { viewers, runs: { public: publicRun.runId, workspace: workspaceRun.runId }, otherRun: otherRun.runId };
}

describe("run visibility", () => {
  it("answers one run and lists alike, for every viewer in the table", async () => {
    const { viewers, runs, otherRun } = await world();
    const ids = [runs.public, runs.workspace, otherRun];
    for (const who of Object.keys(EXPECTED) as Who[]) {
      const viewer = viewers[who];
      const single = { public: await canSeeRun(db, viewer, runs.public), workspace: await canSeeRun(db, viewer, runs.workspace) };
      expect({ who, ...single }).toEqual({ who, ...EXPECTED[who] });

      const listed = await db.run.findMany({ where: { AND: [{ id: { in: ids } }, visibleRunsWhere(viewer)] }, select: { id: true } });
      const seen = new Set(listed.map((r) => r.id));
      expect({ who, public: seen.has(runs.public), workspace: seen.has(runs.workspace) }).toEqual({ who, ...EXPECTED[who] });
      const siteRole = who === "operator" || who === "siteAdmin";
      expect({ who, other: seen.has(otherRun) }).toEqual({ who, other: siteRole });
      expect({ who, other: await canSeeRun(db, viewer, otherRun) }).toEqual({ who, other: siteRole });

      const expected = { who, public: EXPECTED[who].public, workspace: EXPECTED[who].workspace, other: siteRole };
      const rawSeen = await db.$queryRaw<{ id: string }[]>`
        SELECT s.id FROM runs s WHERE s.id IN (${Prisma.join(ids)}) AND ${visibleRunsSql(viewer, "s")}`;
      const raw = new Set(rawSeen.map((r) => r.id));
      expect({ who, public: raw.has(runs.public), workspace: raw.has(runs.workspace), other: raw.has(otherRun) }).toEqual(expected);

      if (viewer) {
        const text = visibleRunSqlText({ visibility: "s.visibility", workspaceId: `s."workspaceId"`, userId: "$2", seesEveryRun: "$3" });
        const { rows } = await pgPool().query<{ id: string }>(`SELECT s.id FROM runs s WHERE s.id = ANY ($1::text[]) AND ${text}`, [
          ids,
          viewer.id,
          seesEveryRun(viewer),
        ]);
        const pg = new Set(rows.map((r) => r.id));
        expect({ who, public: pg.has(runs.public), workspace: pg.has(runs.workspace), other: pg.has(otherRun) }).toEqual(expected);
      }

      const placements = await db.run.findMany({
        where: { id: { in: ids } },
        select: {
          id: true,
          visibility: true,
          workspace: { select: { members: { where: { userId: viewer?.id ?? "", ...RUN_SEEING_MEMBER }, select: { userId: true } } } },
        },
      });
      const inMemory = new Map(placements.map((p) => [p.id, mayView(viewer, p, p.workspace.members.length > 0)]));
      expect({ who, public: inMemory.get(runs.public), workspace: inMemory.get(runs.workspace), other: inMemory.get(otherRun) }).toEqual(
        expected,
      );
    }
  });

  it("refuses a run that does not exist like one that may not be seen", async () => {
    const u = await makeUser({ role: "admin" });
    expect(await canSeeRun(db, u, "no-such-run")).toBe(false);
  });
});
