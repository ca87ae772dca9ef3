// The demo world of `npm start`: its runs belong to a second account, so the demo user can bet.
import { describe, expect, it } from "vitest";
import { db } from "../lib/db";
import { makeUser } from "../test/helpers";
import { DEMO_RUNNER, DEMO_TEAM, DEMO_TEAMMATE, seedDemoWorld } from "./demo";
import { canSeeRun } from "../domain/workspaces/visibility";
import { DEMO_VERIFIER } from "../domain/agents/builtin";

describe("seedDemoWorld", () => {
  it("seeds the demo runs under the demo runner, verified, and the demo user can bet on the live one", async () => {
    const demo = await makeUser({ email: "demo@paddock.local", role: "admin" });
    await seedDemoWorld(db);
    const runs = await db.run.findMany({
      select: { id: true, status: true, verifier: true, verifiedProgress: true, createdBy: { select: { email: true } } },
    });
    expect(runs.length).toBeGreaterThan(1);
    expect(new Set(runs.map((r) => r.createdBy.email))).toEqual(new Set([DEMO_RUNNER.email]));
    expect(runs.every((r) => r.verifier === DEMO_VERIFIER)).toBe(true);
    expect(runs.filter((r) => r.status === "succeeded").every((r) => r.verifiedProgress === 20)).toBe(true);
    const live = runs.find((r) => r.status === "queued")!;
    expect(await demo.caller.betting.placeBet({ runId: live.id, side: "yes", amount: 500 })).toMatchObject({ amount: 500 });
    // Seeding again changes nothing.
    await seedDemoWorld(db);
    expect(await db.run.count()).toBe(runs.length);
    expect(await db.workspace.count({ where: { name: DEMO_TEAM } })).toBe(1);
  });

  it("seeds a team workspace of three roles with public and private runs: a newcomer sees the public ones, a member both", async () => {
    const demo =
      (await db.user.findUnique({ where: { email: "demo@paddock.local" } })) ??
      (await makeUser({ email: "demo@paddock.local", role: "admin" }));
    await seedDemoWorld(db);
    const team = await db.workspace.findFirstOrThrow({
      where: { name: DEMO_TEAM },
      select: {
        personal: true,
        members: { select: { role: true, user: { select: { email: true } } } },
        runs: { select: { id: true, visibility: true } },
      },
    });
    expect(team.personal).toBe(false);
    expect(Object.fromEntries(team.members.map((m) => [m.user.email, m.role]))).toEqual({
      [DEMO_RUNNER.email]: "owner",
      [demo.email]: "admin",
      [DEMO_TEAMMATE.email]: "viewer",
    });
    const privateRuns = team.runs.filter((r) => r.visibility === "workspace");
    const publicRuns = (await db.run.findMany({ where: { visibility: "public" }, select: { id: true } })).map((r) => r.id);
    expect(privateRuns.length).toBeGreaterThan(0);
    expect(publicRuns.length).toBeGreaterThan(1);

    const newcomer = await makeUser();
    const viewer = await db.user.findUniqueOrThrow({ where: { email: DEMO_TEAMMATE.email }, select: { id: true, role: true } });
    for (const id of publicRuns) expect(await canSeeRun(db, newcomer, id)).toBe(true);
    for (const { id } of privateRuns) {
      expect(await canSeeRun(db, newcomer, id)).toBe(false);
      expect(await canSeeRun(db, viewer, id)).toBe(true);
    }
  });
});
