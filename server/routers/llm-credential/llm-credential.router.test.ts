// The LLM credentials pool's admin procedures: admins only, keys sealed at rest and never returned,
// bad input refused naming its field with nothing written.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { config } from "../../config";
import { makeUser, rejection } from "../../test/helpers";
import { openSecret } from "../../lib/secret-box";
import { LLM_KEY_PURPOSE } from "../../domain/llm/credentials";

const KEY = "sk-proj-abcdefghijklmnop-WXYZ";
const base = { name: "primary", baseUrl: "https://llm.example.test/v1/", apiKey: KEY };

const rows = () =>
  db.llmCredential.findMany({ orderBy: { priority: "asc" }, select: { name: true, priority: true, apiKeySealed: true, apiKeyHint: true } });

beforeEach(async () => {
  await db.llmCredential.deleteMany();
});

describe("llmCredential procedures", () => {
  it("are for admins only: members and operators are refused and write nothing", async () => {
    const admin = await makeUser({ role: "admin" });
    const created = await admin.caller.llmCredential.create(base);
    for (const role of ["member", "operator"] as const) {
      const { caller } = await makeUser({ role });
      expect(await rejection(caller.llmCredential.list())).toMatchObject({ code: "FORBIDDEN" });
      expect(await rejection(caller.llmCredential.create({ ...base, name: "mine" }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await rejection(caller.llmCredential.update({ id: created.id, enabled: false }))).toMatchObject({ code: "FORBIDDEN" });
      expect(await rejection(caller.llmCredential.delete({ id: created.id }))).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await db.llmCredential.findMany({ select: { name: true, enabled: true } })).toEqual([{ name: "primary", enabled: true }]);
  });

  it("store the key sealed and show only its last characters, in the order calls try them", async () => {
    const admin = await makeUser({ role: "admin" });
    const first = await admin.caller.llmCredential.create(base);
    const second = await admin.caller.llmCredential.create({ name: "local", baseUrl: "http://127.0.0.1:11434/v1" });
    const early = await admin.caller.llmCredential.create({
      name: "early",
      baseUrl: "https://other.example.test",
      apiKey: "short-key",
      priority: 1,
    });

    expect(first).toMatchObject({
      baseUrl: "https://llm.example.test/v1",
      apiKeyHint: "…WXYZ",
      hasApiKey: true,
      state: "active",
      priority: 10,
    });
    expect(second).toMatchObject({ apiKeyHint: null, hasApiKey: false, priority: 20 });
    expect(early).toMatchObject({ apiKeyHint: "••••", hasApiKey: true, priority: 1 });
    const list = await admin.caller.llmCredential.list();
    expect(list.credentials.map((c) => c.name)).toEqual(["early", "primary", "local"]);
    // No procedure's answer carries the key, nor the sealed value.
    for (const answer of [first, second, early, list]) {
      expect(JSON.stringify(answer)).not.toContain(KEY);
      expect(JSON.stringify(answer)).not.toMatch(/apiKeySealed|short-key/);
    }

    const stored = (await rows()).find((r) => r.name === "primary")!;
    expect(stored.apiKeySealed).not.toContain(KEY);
    expect(stored.apiKeySealed).not.toContain(Buffer.from(KEY).toString("base64url").slice(0, 12));
    expect(openSecret(stored.apiKeySealed!, { secret: config.AUTH_SECRET, purpose: LLM_KEY_PURPOSE })).toBe(KEY);

    // A new key replaces the old one; an omitted key stays; null removes it.
    const rotated = await admin.caller.llmCredential.update({ id: first.id, apiKey: "sk-proj-zzzzzzzzzzzzzzzz-NEW1" });
    expect(rotated.apiKeyHint).toBe("…NEW1");
    expect((await admin.caller.llmCredential.update({ id: first.id, priority: 50 })).apiKeyHint).toBe("…NEW1");
    expect(await admin.caller.llmCredential.update({ id: first.id, apiKey: null })).toMatchObject({ apiKeyHint: null, hasApiKey: false });
    expect((await rows()).find((r) => r.name === "primary")!.apiKeySealed).toBeNull();
  });

  it("show each credential's state: disabled, scheduled, expired, cooling, and back to active on reset", async () => {
    const admin = await makeUser({ role: "admin" });
    const day = 86_400_000;
    const c = await admin.caller.llmCredential.create({ ...base, enabled: false });
    expect(c.state).toBe("disabled");
    expect((await admin.caller.llmCredential.update({ id: c.id, enabled: true, validFrom: new Date(Date.now() + day) })).state).toBe(
      "scheduled",
    );
    expect(
      (
        await admin.caller.llmCredential.update({
          id: c.id,
          validFrom: new Date(Date.now() - 2 * day),
          validUntil: new Date(Date.now() - day),
        })
      ).state,
    ).toBe("expired");
    await admin.caller.llmCredential.update({ id: c.id, validFrom: null, validUntil: null });
    await db.llmCredential.update({ where: { id: c.id }, data: { cooldownUntil: new Date(Date.now() + 60_000), lastError: "HTTP 429" } });
    expect((await admin.caller.llmCredential.list()).credentials[0]).toMatchObject({ state: "cooling", lastError: "HTTP 429" });
    expect(await admin.caller.llmCredential.update({ id: c.id, resetCooldown: true })).toMatchObject({
      state: "active",
      cooldownUntil: null,
    });
  });

  it("refuse bad input naming the field, and change nothing", async () => {
    const admin = await makeUser({ role: "admin" });
    const existing = await admin.caller.llmCredential.create(base);
    const before = await rows();
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [() => admin.caller.llmCredential.create({ ...base, name: "  " }), "name", "BAD_REQUEST"],
      [() => admin.caller.llmCredential.create({ ...base, name: "x", baseUrl: "not a url" }), "baseUrl", "BAD_REQUEST"],
      [() => admin.caller.llmCredential.create({ ...base, name: "x", baseUrl: "ftp://llm.example.test" }), "baseUrl", "BAD_REQUEST"],
      [() => admin.caller.llmCredential.create({ ...base, name: "x", priority: -1 }), "priority", "BAD_REQUEST"],
      [() => admin.caller.llmCredential.create({ ...base, name: "x", priority: 1.5 }), "priority", "BAD_REQUEST"],
      [
        () =>
          admin.caller.llmCredential.create({ ...base, name: "x", validFrom: new Date("2030-01-02"), validUntil: new Date("2030-01-01") }),
        "validUntil",
        "BAD_REQUEST",
      ],
      [() => admin.caller.llmCredential.create(base), "name", "CONFLICT"],
      [
        () => admin.caller.llmCredential.update({ id: existing.id, validUntil: new Date("2000-01-01"), validFrom: new Date("2001-01-01") }),
        "validUntil",
        "BAD_REQUEST",
      ],
      [() => admin.caller.llmCredential.update({ id: "nope", enabled: false }), "id", "NOT_FOUND"],
      [() => admin.caller.llmCredential.delete({ id: "nope" }), "id", "NOT_FOUND"],
    ];
    for (const [call, field, code] of cases) expect(await rejection(call())).toMatchObject({ code, field });
    const other = await admin.caller.llmCredential.create({ ...base, name: "other" });
    expect(await rejection(admin.caller.llmCredential.update({ id: other.id, name: "primary" }))).toMatchObject({
      code: "CONFLICT",
      field: "name",
      message: expect.stringMatching(/already exists/),
    });
    await admin.caller.llmCredential.delete({ id: other.id });
    expect(await rows()).toEqual(before);
  });

  it("delete a credential and keep its usage rows under its name", async () => {
    const admin = await makeUser({ role: "admin" });
    const c = await admin.caller.llmCredential.create(base);
    const agent = await db.agent.create({ data: { slug: `p-${Date.now()}`, name: "P", model: "m" } });
    const run = await db.run.create({
      data: {
        goal: "g",
        metric: "m",
        targetValue: 1,
        agentId: agent.id,
        durationMinutes: 1,
        idleTimeoutMinutes: 1,
        createdById: admin.id,
        workspaceId: (await db.workspace.findFirstOrThrow({ where: { createdById: admin.id } })).id,
      },
    });
    await db.llmUsage.create({
      data: {
        runId: run.id,
        agentId: agent.id,
        credentialId: c.id,
        credentialName: c.name,
        model: "m",
        promptTokens: 1,
        completionTokens: 1,
        totalTokens: 2,
        costCents: 0,
        attempts: 1,
      },
    });
    expect(await admin.caller.llmCredential.delete({ id: c.id })).toEqual({ id: c.id });
    expect(await admin.caller.llmCredential.list()).toMatchObject({ credentials: [] });
    expect(await db.llmUsage.findMany({ select: { credentialId: true, credentialName: true } })).toEqual([
      { credentialId: null, credentialName: "primary" },
    ]);
  });
});
