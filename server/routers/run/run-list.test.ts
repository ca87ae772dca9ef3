// run.list holds only the runs the caller may see (server/domain/workspaces/visibility.ts): a
// workspace's private runs reach its members and the site's operators and admins, nobody else —
// with or without the workspace filter, and through the cursor.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../../domain/betting/fixtures";
import { createWorkspace } from "../../domain/workspaces/workspaces";
import type { WorkspaceRole } from "@shared/workspace-rules";

type Caller = Awaited<ReturnType<typeof makeUser>>["caller"];
type Who = "owner" | "member" | "viewer" | "outsider" | "otherTeam" | "operator" | "siteAdmin";

/** Every id the caller's run.list returns, page after page. */
async function listAll(caller: Caller, input: { workspaceId?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await caller.run.list({ ...input, limit: 3, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

async function world() {
  const owner = await makeUser();
  const team = await createWorkspace(db, { userId: owner.id, name: "List team" });
  const joined = async (role: WorkspaceRole) => {
    const u = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId: team.id, userId: u.id, role } });
    return u;
  };
  const otherTeamUser = await makeUser();
  const otherTeam = await createWorkspace(db, { userId: otherTeamUser.id, name: "Other team" });
  const callers: Record<Who, Awaited<ReturnType<typeof makeUser>>> = {
    owner,
    member: await joined("member"),
    viewer: await joined("viewer"),
    outsider: await makeUser(),
    otherTeam: otherTeamUser,
    operator: await makeUser({ role: "operator" }),
    siteAdmin: await makeUser({ role: "admin" }),
  };
  const runs = {
    teamPublic: (await makeRun(db, { createdById: owner.id, workspaceId: team.id, visibility: "public" })).runId,
    teamPrivate: (await makeRun(db, { createdById: owner.id, workspaceId: team.id, visibility: "workspace" })).runId,
    otherPrivate: (await makeRun(db, { createdById: otherTeamUser.id, workspaceId: otherTeam.id, visibility: "workspace" })).runId,
    otherPublic: (await makeRun(db, { createdById: otherTeamUser.id, workspaceId: otherTeam.id, visibility: "public" })).runId,
  };
  return { callers, runs, team, otherTeam };
}

// Which of the three runs each caller's list holds, unfiltered.
const SEES: Record<Who, { teamPublic: boolean; teamPrivate: boolean; otherPrivate: boolean }> = {
  owner: { teamPublic: true, teamPrivate: true, otherPrivate: false },
  member: { teamPublic: true, teamPrivate: true, otherPrivate: false },
  viewer: { teamPublic: true, teamPrivate: true, otherPrivate: false },
  outsider: { teamPublic: true, teamPrivate: false, otherPrivate: false },
  otherTeam: { teamPublic: true, teamPrivate: false, otherPrivate: true },
  operator: { teamPublic: true, teamPrivate: true, otherPrivate: true },
  siteAdmin: { teamPublic: true, teamPrivate: true, otherPrivate: true },
};

describe("run.list", () => {
  it("lists another workspace's private run to nobody but its members and the site's operators and admins", async () => {
    const { callers, runs } = await world();
    for (const who of Object.keys(SEES) as Who[]) {
      const listed = new Set(await listAll(callers[who].caller));
      const seen = {
        teamPublic: listed.has(runs.teamPublic),
        teamPrivate: listed.has(runs.teamPrivate),
        otherPrivate: listed.has(runs.otherPrivate),
      };
      expect({ who, ...seen }).toEqual({ who, ...SEES[who] });
    }
  });

  it("with a workspace filter lists the arena from that workspace: its runs the caller may see, and every public run", async () => {
    const { callers, runs, team } = await world();
    for (const who of Object.keys(SEES) as Who[]) {
      const listed = new Set(await listAll(callers[who].caller, { workspaceId: team.id }));
      const seen = {
        teamPublic: listed.has(runs.teamPublic),
        teamPrivate: listed.has(runs.teamPrivate),
        otherPrivate: listed.has(runs.otherPrivate),
        otherPublic: listed.has(runs.otherPublic),
      };
      // The filter narrows: another workspace's private run stays out even for those who may see it.
      expect({ who, ...seen }).toEqual({
        who,
        teamPublic: true,
        teamPrivate: SEES[who].teamPrivate,
        otherPrivate: false,
        otherPublic: true,
      });
    }
    // Items carry their workspace, so the arena can tell the current workspace's runs from the rest.
    const [first] = (await callers.member.caller.run.list({ workspaceId: team.id, scope: "workspace", limit: 1 })).items;
    expect(first?.workspace).toEqual({ id: team.id, name: "List team" });
  });

  it("gives an empty page for a cursor the caller may not see, as for one that does not exist", async () => {
    const { callers, runs } = await world();
    expect(await callers.outsider.caller.run.list({ cursor: runs.teamPrivate, limit: 5 })).toEqual({ items: [], nextCursor: null });
    expect(await callers.outsider.caller.run.list({ cursor: "no-such-run", limit: 5 })).toEqual({ items: [], nextCursor: null });
    // The same cursor continues the list for a member.
    const page = await callers.member.caller.run.list({ cursor: runs.teamPrivate, limit: 100 });
    expect(page.items.map((r) => r.id)).toContain(runs.teamPublic);
  });
});
