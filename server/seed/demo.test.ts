// The demo world of `npm start`: its runs belong to a second account, so the demo user can bet.
import { describe, expect, it } from "vitest";
import { db } from "../lib/db";
import { makeUser } from "../test/helpers";
import { DEMO_RUNNER, seedDemoWorld } from "./demo";
import { DEMO_VERIFIER } from "../domain/agent-profiles";

describe("seedDemoWorld", () => {
  it("seeds the demo runs under the demo runner, verified, and the demo user can bet on the live one", async () => {
    const demo = await makeUser({ email: "demo@paddock.local", role: "admin" });
    await seedDemoWorld(db);
    const runs = await db.sandbox.findMany({ select: { id: true, status: true, verifier: true, verifiedProgress: true, createdBy: { select: { email: true } } } });
    expect(runs.length).toBeGreaterThan(1);
    expect(new Set(runs.map((r) => r.createdBy.email))).toEqual(new Set([DEMO_RUNNER.email]));
    expect(runs.every((r) => r.verifier === DEMO_VERIFIER)).toBe(true);
    expect(runs.filter((r) => r.status === "succeeded").every((r) => r.verifiedProgress === 20)).toBe(true);
    const live = runs.find((r) => r.status === "queued")!;
    expect(await demo.caller.betting.placeBet({ sandboxId: live.id, side: "yes", amount: 500 })).toMatchObject({ amount: 500 });
    // Seeding again changes nothing.
    await seedDemoWorld(db);
    expect(await db.sandbox.count()).toBe(runs.length);
  });
});
