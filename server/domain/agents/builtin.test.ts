import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { BUILTIN_AGENTS, ensureBuiltinAgents } from "./builtin";

describe("ensureBuiltinAgents", () => {
  it("creates the missing built-in agents once, even when processes start together", async () => {
    const results = await Promise.all([ensureBuiltinAgents(db), ensureBuiltinAgents(db), ensureBuiltinAgents(db)]);
    for (const agents of results) expect(agents.map((p) => p.slug).sort()).toEqual(BUILTIN_AGENTS.map((p) => p.slug).sort());
    expect(await db.agent.count()).toBe(BUILTIN_AGENTS.length);
  });

  it("leaves a agent an operator edited as it is", async () => {
    await ensureBuiltinAgents(db);
    await db.agent.update({ where: { slug: "llm-agent" }, data: { model: "operator-choice", active: false } });
    await ensureBuiltinAgents(db);
    expect(await db.agent.findUniqueOrThrow({ where: { slug: "llm-agent" } })).toMatchObject({
      model: "operator-choice",
      active: false,
    });
    expect(await db.agent.count()).toBe(BUILTIN_AGENTS.length);
  });
});
