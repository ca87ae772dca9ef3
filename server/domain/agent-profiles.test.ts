import { describe, expect, it } from "vitest";
import { db } from "../lib/db";
import { BUILTIN_PROFILES, ensureBuiltinProfiles } from "./agent-profiles";

describe("ensureBuiltinProfiles", () => {
  it("creates the missing built-in profiles once, even when processes start together", async () => {
    const results = await Promise.all([ensureBuiltinProfiles(db), ensureBuiltinProfiles(db), ensureBuiltinProfiles(db)]);
    for (const profiles of results) expect(profiles.map((p) => p.slug).sort()).toEqual(BUILTIN_PROFILES.map((p) => p.slug).sort());
    expect(await db.agentProfile.count()).toBe(BUILTIN_PROFILES.length);
  });

  it("leaves a profile an operator edited as it is", async () => {
    await ensureBuiltinProfiles(db);
    await db.agentProfile.update({ where: { slug: "llm-agent" }, data: { model: "operator-choice", active: false } });
    await ensureBuiltinProfiles(db);
    expect(await db.agentProfile.findUniqueOrThrow({ where: { slug: "llm-agent" } })).toMatchObject({
      model: "operator-choice",
      active: false,
    });
    expect(await db.agentProfile.count()).toBe(BUILTIN_PROFILES.length);
  });
});
