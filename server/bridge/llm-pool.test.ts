// The LLM credentials pool through the real bridge route: local OpenAI-compatible stand-ins, one per
// credential, answer 429 (insufficient_quota, rate_limit_exceeded) or 200 as a test scripts them.
// A refused credential cools down and the same request goes to the next one; the run pays once.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

type Reply = { status?: number; body: unknown; headers?: Record<string, string> };

/** An OpenAI-compatible endpoint: answers its scripted replies in order, then a completion. */
async function standin(name: string) {
  const me = { name, url: "", requests: [] as { auth?: string; body: Record<string, unknown> }[], next: [] as Reply[] };
  const server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    me.requests.push({ auth: req.headers.authorization, body: JSON.parse(raw) as Record<string, unknown> });
    const reply = me.next.shift() ?? { body: completion(`hello from ${name}`, 1000) };
    res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => server.close());
  me.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return me;
}

function completion(content: string, totalTokens: number) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: totalTokens - 10, completion_tokens: 10, total_tokens: totalTokens },
  };
}

const quotaError = {
  status: 429,
  body: {
    error: {
      message: "You exceeded your current quota, please check your plan and billing details.",
      type: "insufficient_quota",
      param: null,
      code: "insufficient_quota",
    },
  },
};
const rateLimited = (retryAfter: string) => ({
  status: 429,
  headers: { "retry-after": retryAfter },
  body: { error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } },
});

const A = await standin("A");
const B = await standin("B");
const C = await standin("C");
const ENV = await standin("env");

// Before server/config.ts is imported: no server LLM until a test sets one.
delete process.env.LLM_BASE_URL;
delete process.env.LLM_API_KEY;
Object.assign(process.env, { LLM_CENTS_PER_1K_TOKENS: "3", LLM_COOLDOWN_SECONDS: "90" });
const request = (await import("supertest")).default;
const { createApp } = await import("../app");
const { config } = await import("../config");
const { db } = await import("../lib/db");
const { makeLiveRun, makeUser } = await import("../test/helpers");
const { checkLedger } = await import("../domain/ledger");

const app = createApp();
let agentId: string;
let admin: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  admin = await makeUser({ role: "admin" });
  agentId = (await db.agent.create({ data: { slug: `llm-pool-${Date.now()}`, name: "LLM pool", model: "gpt-pool", policy: "llm" } })).id;
});
beforeEach(async () => {
  await db.llmCredential.deleteMany();
  for (const s of [A, B, C, ENV]) {
    s.requests.length = 0;
    s.next.length = 0;
  }
});

/** A credential for a stand-in, added through the admin procedure. */
const credential = (s: typeof A, extra: { priority?: number; validFrom?: Date; validUntil?: Date; enabled?: boolean } = {}) =>
  admin.caller.llmCredential.create({ name: s.name, baseUrl: s.url, apiKey: `sk-${s.name}-0123456789abcdef`, ...extra });
const keyOf = (s: typeof A) => `Bearer sk-${s.name}-0123456789abcdef`;
const row = (name: string) => db.llmCredential.findUniqueOrThrow({ where: { name } });
const spentOf = async (id: string) => (await db.run.findUniqueOrThrow({ where: { id }, select: { creditsSpent: true } })).creditsSpent;
const spendTransfers = (id: string) =>
  db.ledgerTransfer.count({
    where: { kind: "credit_spend", memo: { contains: "LLM" }, entries: { some: { account: { key: `run:${id}` } } } },
  });
const chat = { messages: [{ role: "user", content: "hi" }] };

async function liveRun() {
  const run = await makeLiveRun({ agentId, credits: 100 });
  return { ...run, url: `${run.base}/llm/chat/completions` };
}

describe("the LLM credentials pool", () => {
  it("rotates past a credential out of quota: cooldown recorded, the same request answered by the next, tokens charged once", async () => {
    await credential(A, { priority: 1 });
    await credential(B, { priority: 2 });
    const run = await liveRun();
    A.next.push(quotaError);
    B.next.push({ body: completion("from B", 2000) });

    const before = Date.now();
    const res = await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    const after = Date.now();

    expect(res.body.choices[0].message.content).toBe("from B");
    expect(A.requests.map((r) => r.auth)).toEqual([keyOf(A)]);
    expect(B.requests.map((r) => r.auth)).toEqual([keyOf(B)]);
    expect(B.requests[0]!.body).toEqual(A.requests[0]!.body);
    expect(B.requests[0]!.body).toMatchObject({ ...chat, model: "gpt-pool" });

    const a = await row("A");
    expect(a.cooldownUntil!.getTime()).toBeGreaterThanOrEqual(before + 90_000 - 1000);
    expect(a.cooldownUntil!.getTime()).toBeLessThanOrEqual(after + 90_000);
    expect(a).toMatchObject({
      requestCount: 1,
      rateLimitCount: 1,
      tokenCount: 0n,
      lastError: expect.stringContaining("insufficient_quota"),
    });
    expect(await row("B")).toMatchObject({ requestCount: 1, rateLimitCount: 0, tokenCount: 2000n, cooldownUntil: null });

    // 2,000 tokens at 3 credits per 1,000: charged once, for the answer that came back.
    expect(await spentOf(run.id)).toBe(6);
    expect(res.headers["paddock-credits-remaining"]).toBe("94");
    expect(await spendTransfers(run.id)).toBe(1);
    expect(await db.llmUsage.findMany({ where: { runId: run.id } })).toEqual([
      expect.objectContaining({
        agentId,
        credentialId: (await row("B")).id,
        credentialName: "B",
        model: "gpt-pool",
        promptTokens: 1990,
        completionTokens: 10,
        totalTokens: 2000,
        estimated: false,
        costCents: 6,
        attempts: 2,
      }),
    ]);
    expect(await checkLedger(db)).toEqual([]);

    // While A cools down, the next call goes straight to B.
    await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(A.requests).toHaveLength(1);
    expect(B.requests).toHaveLength(2);
  });

  it("honours Retry-After, and answers 503 naming the cooldowns when every credential is refused; nothing is charged", async () => {
    await credential(A, { priority: 1 });
    await credential(B, { priority: 2 });
    const run = await liveRun();
    A.next.push(rateLimited("300"));
    B.next.push(quotaError);

    const before = Date.now();
    const res = await request(app).post(run.url).set(run.auth).send(chat);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("LLM_COOLING_DOWN");
    expect(res.body.error.message).toMatch(/every LLM credential is cooling down/);
    const a = await row("A");
    const b = await row("B");
    // A asked for 300 s, B said nothing (LLM_COOLDOWN_SECONDS = 90): B is back first and named first.
    expect(a.cooldownUntil!.getTime()).toBeGreaterThanOrEqual(before + 300_000 - 1000);
    expect(a.cooldownUntil!.getTime() - b.cooldownUntil!.getTime()).toBeGreaterThan(200_000);
    expect(res.body.error.message).toContain(`"B" until ${b.cooldownUntil!.toISOString()}, "A" until ${a.cooldownUntil!.toISOString()}`);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(80);
    expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(90);
    expect(await spentOf(run.id)).toBe(0);
    expect(await db.llmUsage.count({ where: { runId: run.id } })).toBe(0);

    // Both still cooling: refused at once, nothing forwarded.
    const again = await request(app).post(run.url).set(run.auth).send(chat);
    expect(again.status).toBe(503);
    expect(again.body.error.code).toBe("LLM_COOLING_DOWN");
    expect(A.requests).toHaveLength(1);
    expect(B.requests).toHaveLength(1);

    // An admin ends B's cooldown: it answers again.
    await admin.caller.llmCredential.update({ id: b.id, resetCooldown: true });
    await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(B.requests).toHaveLength(2);
  });

  it("keeps every count exact under concurrent calls: each answered once by B, charged once", async () => {
    await credential(A, { priority: 1 });
    await credential(B, { priority: 2 });
    const runs = await Promise.all(Array.from({ length: 8 }, () => liveRun()));
    A.next.push(...Array.from({ length: 8 }, () => quotaError));
    const answers = await Promise.all(runs.map((run) => request(app).post(run.url).set(run.auth).send(chat)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(B.requests).toHaveLength(8);
    // A call that started after A's cooldown went straight to B; the others were refused by A first.
    const a = await row("A");
    expect(a.rateLimitCount).toBe(A.requests.length);
    expect(await row("B")).toMatchObject({ requestCount: 8, tokenCount: 8000n });
    for (const run of runs) {
      expect(await spentOf(run.id)).toBe(3);
      expect(await spendTransfers(run.id)).toBe(1);
    }
    const usage = await db.llmUsage.findMany({ where: { runId: { in: runs.map((r) => r.id) } }, select: { attempts: true } });
    expect(usage.reduce((sum, u) => sum + u.attempts - 1, 0)).toBe(A.requests.length);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("uses only credentials inside their window and enabled, lowest priority first", async () => {
    const day = 86_400_000;
    await credential(A, { priority: 1, validUntil: new Date(Date.now() - day) });
    await credential(B, { priority: 2, validFrom: new Date(Date.now() + day) });
    await credential(ENV, { priority: 3, enabled: false });
    await credential(C, { priority: 4, validFrom: new Date(Date.now() - day), validUntil: new Date(Date.now() + day) });
    const run = await liveRun();

    const res = await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(res.body.choices[0].message.content).toBe("hello from C");
    expect([A, B, ENV].map((s) => s.requests.length)).toEqual([0, 0, 0]);

    // Without C nothing is usable: a clear 503 naming when the next window opens.
    await db.llmCredential.delete({ where: { name: "C" } });
    const none = await request(app).post(run.url).set(run.auth).send(chat);
    expect(none.status).toBe(503);
    expect(none.body.error).toMatchObject({
      code: "LLM_NOT_CONFIGURED",
      message: expect.stringMatching(/no LLM credential is usable now.*"B" becomes valid at/),
    });
    expect([A, B, ENV].map((s) => s.requests.length)).toEqual([0, 0, 0]);
  });

  it("keeps the server's LLM_BASE_URL as the last credential", async () => {
    const saved = { url: config.LLM_BASE_URL, key: config.LLM_API_KEY };
    config.LLM_BASE_URL = ENV.url;
    config.LLM_API_KEY = "sk-env-server";
    try {
      const run = await liveRun();
      // Alone, it works as before.
      await request(app).post(run.url).set(run.auth).send(chat).expect(200);
      expect(ENV.requests.map((r) => r.auth)).toEqual(["Bearer sk-env-server"]);

      // Behind a credential: used once that one is rate limited; its usage has no credential row.
      await credential(A);
      A.next.push(rateLimited("30"));
      const res = await request(app).post(run.url).set(run.auth).send(chat).expect(200);
      expect(res.body.choices[0].message.content).toBe("hello from env");
      expect(A.requests).toHaveLength(1);
      expect(ENV.requests).toHaveLength(2);
      const usage = await db.llmUsage.findMany({
        where: { runId: run.id },
        orderBy: { id: "asc" },
        select: { credentialId: true, credentialName: true, attempts: true },
      });
      expect(usage).toEqual([
        { credentialId: null, credentialName: "LLM_BASE_URL", attempts: 1 },
        { credentialId: null, credentialName: "LLM_BASE_URL", attempts: 2 },
      ]);

      // The fallback rate limited too: 503 with its Retry-After, though it has no row to cool down.
      ENV.next.push(rateLimited("7"));
      const cooling = await request(app).post(run.url).set(run.auth).send(chat);
      expect(cooling.status).toBe(503);
      expect(cooling.body.error.message).toMatch(/"LLM_BASE_URL" until .*"A" until/);
      expect(Number(cooling.headers["retry-after"])).toBeLessThanOrEqual(7);
    } finally {
      config.LLM_BASE_URL = saved.url;
      config.LLM_API_KEY = saved.key;
    }
  });

  it("moves past a refused key, and sends an error about the request itself back without trying others", async () => {
    await credential(A, { priority: 1 });
    await credential(B, { priority: 2 });
    const run = await liveRun();
    A.next.push({ status: 401, body: { error: { message: "Incorrect API key provided", code: "invalid_api_key" } } });
    await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(await row("A")).toMatchObject({
      rateLimitCount: 0,
      lastError: expect.stringContaining("invalid_api_key"),
      cooldownUntil: expect.any(Date),
    });

    B.next.push({ status: 400, body: { error: { message: "context length exceeded", code: "context_length_exceeded" } } });
    const bad = await request(app).post(run.url).set(run.auth).send(chat);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "LLM_REJECTED", message: expect.stringContaining("context length exceeded") });
    expect(C.requests).toHaveLength(0);
    expect((await row("B")).cooldownUntil).toBeNull();
  });

  it("skips a credential whose key was sealed under another AUTH_SECRET, saying so", async () => {
    const a = await credential(A, { priority: 1 });
    await credential(B, { priority: 2 });
    const { sealSecret } = await import("../lib/secret-box");
    const { LLM_KEY_PURPOSE } = await import("../domain/llm/credentials");
    await db.llmCredential.update({
      where: { id: a.id },
      data: { apiKeySealed: sealSecret("sk-old", { secret: "another-secret-of-at-least-32-characters", purpose: LLM_KEY_PURPOSE }) },
    });
    const run = await liveRun();
    await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(A.requests).toHaveLength(0);
    expect(B.requests).toHaveLength(1);
    expect((await row("A")).lastError).toMatch(/AUTH_SECRET/);
  });

  it("sums each agent's and each run's LLM use, for admins", async () => {
    await credential(A);
    const agent = await db.agent.create({
      data: { slug: `llm-usage-${Date.now()}`, name: "Usage probe", model: "gpt-usage", policy: "llm" },
    });
    const run = await makeLiveRun({ agentId: agent.id, credits: 100 });
    const url = `${run.base}/llm/chat/completions`;
    A.next.push({ body: completion("one", 1500) }, { body: completion("two", 500) });
    await request(app).post(url).set(run.auth).send(chat).expect(200);
    await request(app).post(url).set(run.auth).send(chat).expect(200);

    const usage = await admin.caller.llmCredential.usage({ days: 1 });
    expect(usage.find((u) => u.agentId === agent.id)).toEqual({
      agentId: agent.id,
      name: "Usage probe",
      model: "gpt-usage",
      calls: 2,
      totalTokens: 2000,
      costCents: 5 + 2, // 1,500 tokens → 4.5 → 5 credits; 500 → 1.5 → 2
    });
    const { llmUsageOfRuns } = await import("../domain/llm/usage");
    expect((await llmUsageOfRuns(db, { runIds: [run.id] })).get(run.id)).toEqual({ calls: 2, totalTokens: 2000, costCents: 7 });
    expect(await spentOf(run.id)).toBe(7);
    const member = await makeUser();
    await expect(member.caller.llmCredential.usage({ days: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
