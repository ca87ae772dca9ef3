// Agent keys looked up together (keys-sql.ts): a fleet's first calls share statements, and each
// key still resolves to its own agent — a revoked key to nobody, an archived agent's to "archived".
import { describe, expect, it } from "vitest";

const { pgPool } = await import("../../lib/pg");
const { hashToken } = await import("../../lib/passwords");
const { makeUser } = await import("../../test/helpers");
const { agentForKeyHash, keyLookupStats } = await import("./keys-sql");

describe("agent keys looked up at once", () => {
  it("share statements and each resolves to its own agent, revoked and archived ones included", async () => {
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Fleet" })).id;
    const fleet = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const agent = await owner.caller.agent.create({ workspaceId, name: `Agent ${i}`, kind: "external" });
        const { key, id: keyId } = await owner.caller.agent.createKey({ agentId: agent.id });
        return { agentId: agent.id, keyId, hash: hashToken(key) };
      }),
    );
    const [revoked, archived] = fleet;
    await owner.caller.agent.revokeKey({ agentId: revoked!.agentId, keyId: revoked!.keyId });
    await owner.caller.agent.archive({ id: archived!.agentId });

    const before = { ...keyLookupStats };
    const [unknown, ...found] = await Promise.all(
      [hashToken("pk_nobody"), ...fleet.map((a) => a.hash)].map((h) => agentForKeyHash(pgPool(), h)),
    );
    expect(unknown).toBeNull();
    expect(found[0]).toBeNull();
    expect(found[1]).toBe("archived");
    fleet.slice(2).forEach((a, i) => expect(found[i + 2]).toEqual({ agentId: a.agentId, keyId: a.keyId, workspaceId }));
    expect(keyLookupStats.keys - before.keys).toBe(31);
    expect(keyLookupStats.statements - before.statements).toBeLessThan(31);
  });
});
