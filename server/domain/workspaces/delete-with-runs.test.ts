// Deleting a workspace that has runs: refused while one is live; otherwise its ended runs (with
// their bets and ledger history) move to the deleting owner's personal workspace.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../betting/fixtures";
import { createWorkspace, deleteWorkspace } from "./workspaces";
import { personalWorkspaceId } from "./personal";

describe("deleteWorkspace with runs", () => {
  it("is refused while a run is live, then keeps the ended runs in the owner's personal workspace", async () => {
    const owner = await makeUser();
    const ws = await createWorkspace(db, { userId: owner.id, name: "Short-lived" });
    const live = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "workspace", status: "running" });
    const ended = await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "public", status: "succeeded" });

    const err = await deleteWorkspace(db, { userId: owner.id, workspaceId: ws.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "CONFLICT", field: "id", message: expect.stringMatching(/1 live run/) });
    expect(await db.workspace.count({ where: { id: ws.id } })).toBe(1);

    await db.run.update({ where: { id: live.runId }, data: { status: "canceled" } });
    expect(await deleteWorkspace(db, { userId: owner.id, workspaceId: ws.id })).toMatchObject({ id: ws.id, deleted: true });
    const personal = await personalWorkspaceId(db, owner.id);
    const runs = await db.run.findMany({
      where: { id: { in: [live.runId, ended.runId] } },
      select: { id: true, workspaceId: true, visibility: true },
      orderBy: { id: "asc" },
    });
    expect(runs).toEqual(
      [
        { id: live.runId, workspaceId: personal, visibility: "workspace" },
        { id: ended.runId, workspaceId: personal, visibility: "public" },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });
});
