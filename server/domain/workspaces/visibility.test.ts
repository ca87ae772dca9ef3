// The run visibility rule against one table: every kind of viewer × a public and a workspace run,
// answered by canSeeRun (one run) and by visibleRunsWhere (lists) — the two must agree.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../betting/fixtures";
import { createWorkspace } from "./workspaces";
import { canSeeRun, visibleRunsWhere, type Viewer } from "./visibility";
import type { WorkspaceRole } from "@shared/workspace-rules";

type Who = "anonymous" | "outsider" | "viewer" | "member" | "admin" | "owner" | "operator" | "siteAdmin";

const EXPECTED: Record<Who, { public: boolean; workspace: boolean }> = {
  anonymous: { public: false, workspace: false },
  outsider: { public: true, workspace: false },
  viewer: { public: true, workspace: true },
  member: { public: true, workspace: true },
  admin: { public: true, workspace: true },
  owner: { public: true, workspace: true },
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
  const [viewer, member, admin, outsider, operator, siteAdmin] = await Promise.all([
    joined("viewer"),
    joined("member"),
    joined("admin"),
    makeUser(),
    makeUser({ role: "operator" }),
    makeUser({ role: "admin" }),
  ]);
  const publicRun = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "public" });
  const workspaceRun = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "workspace" });
  // Another team's private run: nobody above but the site roles may see it.
  const elsewhere = await makeUser();
  const otherRun = await makeRun(db, { createdById: elsewhere.id, visibility: "workspace" });
  const viewers: Record<Who, Viewer | null> = { anonymous: null, outsider, viewer, member, admin, owner, operator, siteAdmin };
  return { viewers, runs: { public: publicRun.sandboxId, workspace: workspaceRun.sandboxId }, otherRun: otherRun.sandboxId };
}

describe("run visibility", () => {
  it("answers one run and lists alike, for every viewer in the table", async () => {
    const { viewers, runs, otherRun } = await world();
    const ids = [runs.public, runs.workspace, otherRun];
    for (const who of Object.keys(EXPECTED) as Who[]) {
      const viewer = viewers[who];
      const single = { public: await canSeeRun(db, viewer, runs.public), workspace: await canSeeRun(db, viewer, runs.workspace) };
      expect({ who, ...single }).toEqual({ who, ...EXPECTED[who] });

      const listed = await db.sandbox.findMany({ where: { AND: [{ id: { in: ids } }, visibleRunsWhere(viewer)] }, select: { id: true } });
      const seen = new Set(listed.map((r) => r.id));
      expect({ who, public: seen.has(runs.public), workspace: seen.has(runs.workspace) }).toEqual({ who, ...EXPECTED[who] });
      const siteRole = who === "operator" || who === "siteAdmin";
      expect({ who, other: seen.has(otherRun) }).toEqual({ who, other: siteRole });
      expect({ who, other: await canSeeRun(db, viewer, otherRun) }).toEqual({ who, other: siteRole });
    }
  });

  it("refuses a run that does not exist like one that may not be seen", async () => {
    const u = await makeUser({ role: "admin" });
    expect(await canSeeRun(db, u, "no-such-run")).toBe(false);
  });
});
