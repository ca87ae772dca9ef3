// createRun places a run in a workspace: the creator's personal one by default, public by
// default (as every run was before workspaces); members and up may launch in a team workspace,
// a viewer is refused and an outsider is told it does not exist — and a refused launch leaves
// nothing behind.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { makeUser } from "../../test/helpers";
import { balanceOf, userAccountKey } from "../ledger";
import { createWorkspace } from "../workspaces/workspaces";
import { personalWorkspaceId } from "../workspaces/personal";
import type { WorkspaceRole } from "@shared/workspace-rules";
import { createRun } from "./create";

const OPTS = { defaultProvider: "local", availableProviders: ["local"], defaultIdleTimeoutMinutes: 15 } as const;

async function agentId() {
  const p = await db.agent.upsert({
    where: { slug: "ws-run" },
    create: { slug: "ws-run", name: "ws-run", model: "ws-run-model" },
    update: {},
    select: { id: true },
  });
  return p.id;
}

const input = (agentId: string, extra: { workspaceId?: string; visibility?: "public" | "workspace" } = {}) => ({
  goal: "Count to ten",
  metric: "points",
  targetValue: 10,
  agentId,
  durationMinutes: 60,
  credits: 200,
  ...extra,
});

async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return { code: (err as AppError).code, field: (err as AppError).field, message: (err as AppError).message };
}

describe("createRun's workspace and visibility", () => {
  it("defaults to the creator's personal workspace and public", async () => {
    const u = await makeUser();
    const { id } = await createRun(db, u.id, input(await agentId()), OPTS);
    const run = await db.run.findUniqueOrThrow({ where: { id }, select: { workspaceId: true, visibility: true } });
    expect(run).toEqual({ workspaceId: await personalWorkspaceId(db, u.id), visibility: "public" });
  });

  it("launches for owners, admins and members of a team workspace with the visibility asked for", async () => {
    const owner = await makeUser();
    const ws = await createWorkspace(db, { userId: owner.id, name: "Launchers" });
    const pid = await agentId();
    for (const role of ["owner", "admin", "member"] as WorkspaceRole[]) {
      const u = role === "owner" ? owner : await makeUser();
      if (role !== "owner") await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: u.id, role } });
      const { id } = await createRun(db, u.id, input(pid, { workspaceId: ws.id, visibility: "workspace" }), OPTS);
      const run = await db.run.findUniqueOrThrow({ where: { id }, select: { workspaceId: true, visibility: true } });
      expect({ role, ...run }).toEqual({ role, workspaceId: ws.id, visibility: "workspace" });
    }
  });

  it("refuses a viewer (FORBIDDEN) and an outsider (NOT_FOUND), changing nothing", async () => {
    const owner = await makeUser();
    const ws = await createWorkspace(db, { userId: owner.id, name: "Readers" });
    const viewer = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: viewer.id, role: "viewer" } });
    const outsider = await makeUser();
    const pid = await agentId();
    const before = await db.run.count();

    expect(await refusal(createRun(db, viewer.id, input(pid, { workspaceId: ws.id }), OPTS))).toMatchObject({
      code: "FORBIDDEN",
      field: "workspaceId",
      message: expect.stringMatching(/viewers/),
    });
    expect(await refusal(createRun(db, outsider.id, input(pid, { workspaceId: ws.id }), OPTS))).toMatchObject({
      code: "NOT_FOUND",
      field: "workspaceId",
    });
    expect(await refusal(createRun(db, outsider.id, input(pid, { workspaceId: "no-such-workspace" }), OPTS))).toMatchObject({
      code: "NOT_FOUND",
      field: "workspaceId",
    });

    expect(await db.run.count()).toBe(before);
    expect(await balanceOf(db, userAccountKey(viewer.id))).toBe(100_000);
    expect(await balanceOf(db, userAccountKey(outsider.id))).toBe(100_000);
  });
});
