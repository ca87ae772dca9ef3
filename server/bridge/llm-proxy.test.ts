// The bridge's LLM endpoint over real HTTP, forwarding to a local OpenAI-compatible stand-in:
// the server's key is used (the agent only has its run token), tokens are charged to the run's
// credits through the ledger, and refusals forward nothing and charge nothing.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type StandinReply = { status?: number; body: unknown } | { raw: string };
const standin = {
  requests: [] as { auth?: string; body: Record<string, unknown> }[],
  next: [] as StandinReply[],
};
const server = createServer(async (req, res) => {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  standin.requests.push({ auth: req.headers.authorization, body: JSON.parse(raw) as Record<string, unknown> });
  const reply = standin.next.shift() ?? { body: completion("hello", 1000) };
  res.writeHead("raw" in reply ? 200 : (reply.status ?? 200), { "content-type": "application/json" });
  res.end("raw" in reply ? reply.raw : JSON.stringify(reply.body));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
afterAll(() => server.close());

function completion(content: string, totalTokens?: number) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    ...(totalTokens === undefined ? {} : { usage: { prompt_tokens: totalTokens - 10, completion_tokens: 10, total_tokens: totalTokens } }),
  };
}

// Before server/config.ts is imported.
const SERVER_KEY = "sk-server-only-3f9a";
Object.assign(process.env, {
  LLM_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
  LLM_API_KEY: SERVER_KEY,
  LLM_CENTS_PER_1K_TOKENS: "3",
  LLM_MAX_BODY_BYTES: "4096",
});
const request = (await import("supertest")).default;
const { createApp } = await import("../app");
const { config } = await import("../config");
const { db } = await import("../lib/db");
const { makeLiveRun } = await import("../test/helpers");
const { checkLedger, balanceOf, runAccountKey } = await import("../domain/ledger");

const app = createApp();
let agentId: string;
beforeAll(async () => {
  const agent = await db.agent.create({
    data: { slug: `llm-proxy-${Date.now()}`, name: "LLM proxy", model: "gpt-agent", policy: "llm" },
  });
  agentId = agent.id;
});

async function liveRun(credits: number) {
  const run = await makeLiveRun({ agentId, credits });
  return { ...run, url: `${run.base}/llm/chat/completions` };
}

const spentOf = async (id: string) => (await db.run.findUniqueOrThrow({ where: { id }, select: { creditsSpent: true } })).creditsSpent;
const chat = { model: "whatever-the-agent-asks", messages: [{ role: "user", content: "hi" }] };

describe("POST /llm/chat/completions", () => {
  it("forwards with the server's key and the agent's model, and charges the tokens used", async () => {
    const run = await liveRun(100);
    standin.requests.length = 0;
    standin.next.push({ body: completion("forty-two", 1234) });

    const res = await request(app)
      .post(run.url)
      .set(run.auth)
      .send({ ...chat, temperature: 0.2 })
      .expect(200);

    expect(res.body.choices[0].message.content).toBe("forty-two");
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]!.auth).toBe(`Bearer ${SERVER_KEY}`);
    expect(standin.requests[0]!.body).toEqual({ ...chat, temperature: 0.2, model: "gpt-agent" });
    // 1,234 tokens at 3 credits per 1,000, rounded up.
    expect(await spentOf(run.id)).toBe(4);
    expect(res.headers["paddock-credits-remaining"]).toBe("96");
    expect(await balanceOf(db, runAccountKey(run.id))).toBe(96);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("charges an answer without usage by its size, and the last call only what is left", async () => {
    const run = await liveRun(2);
    standin.next.push({ body: completion("x".repeat(2000)) }); // ~2,100 bytes → ~600 tokens → 2 credits
    await request(app).post(run.url).set(run.auth).send(chat).expect(200);
    expect(await spentOf(run.id)).toBe(2);

    const broke = await liveRun(1);
    standin.next.push({ body: completion("big", 50_000) }); // 150 credits, 1 left
    await request(app).post(broke.url).set(broke.auth).send(chat).expect(200);
    expect(await spentOf(broke.id)).toBe(1);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("refuses up front once the run's credits are spent, forwarding nothing", async () => {
    const run = await liveRun(1);
    await db.run.update({ where: { id: run.id }, data: { creditBudget: 0 } });
    standin.requests.length = 0;
    const transfers = await db.ledgerTransfer.count();
    const res = await request(app).post(run.url).set(run.auth).send(chat);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "INSUFFICIENT_FUNDS", message: expect.stringMatching(/no credits left/) });
    expect(standin.requests).toHaveLength(0);
    expect(await db.ledgerTransfer.count()).toBe(transfers);
  });

  it("needs the run token, refuses streaming and oversized requests, and charges nothing for them", async () => {
    const run = await liveRun(100);
    standin.requests.length = 0;
    expect((await request(app).post(run.url).send(chat)).status).toBe(401);
    expect(
      (
        await request(app)
          .post(run.url)
          .set({ authorization: `Bearer ${SERVER_KEY}` })
          .send(chat)
      ).status,
    ).toBe(401);
    const streamed = await request(app)
      .post(run.url)
      .set(run.auth)
      .send({ ...chat, stream: true });
    expect(streamed.status).toBe(400);
    expect(streamed.body.error).toMatchObject({ field: "stream", message: expect.stringMatching(/streaming is not supported/) });
    const empty = await request(app).post(run.url).set(run.auth).send({ messages: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe("messages");
    const huge = await request(app)
      .post(run.url)
      .set(run.auth)
      .send({ messages: [{ role: "user", content: "x".repeat(5000) }] });
    expect(huge.status).toBe(413);
    expect(standin.requests).toHaveLength(0);
    expect(await spentOf(run.id)).toBe(0);
  });

  it("turns the endpoint's failures into clear errors without charging", async () => {
    const run = await liveRun(100);
    standin.next.push({ status: 401, body: { error: { message: "Incorrect API key provided" } } });
    const badKey = await request(app).post(run.url).set(run.auth).send(chat);
    expect(badKey.status).toBe(502);
    expect(badKey.body.error.code).toBe("LLM_UNAVAILABLE");
    expect(JSON.stringify(badKey.body)).not.toContain(SERVER_KEY);

    standin.next.push({ status: 400, body: { error: { message: "context length exceeded" } } });
    const rejected = await request(app).post(run.url).set(run.auth).send(chat);
    expect(rejected.status).toBe(400);
    expect(rejected.body.error).toMatchObject({ code: "LLM_REJECTED", message: expect.stringContaining("context length exceeded") });

    standin.next.push({ raw: JSON.stringify(completion("y".repeat(5000), 10)) });
    const tooBig = await request(app).post(run.url).set(run.auth).send(chat);
    expect(tooBig.status).toBe(502);
    expect(tooBig.body.error.message).toMatch(/larger than 4096 bytes/);
    expect(await spentOf(run.id)).toBe(0);
  });

  it("answers 503 when no LLM is configured", async () => {
    const run = await liveRun(100);
    const configured = config.LLM_BASE_URL;
    config.LLM_BASE_URL = undefined;
    try {
      const res = await request(app).post(run.url).set(run.auth).send(chat);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: "LLM_NOT_CONFIGURED", message: expect.stringMatching(/^LLM is not configured/) });
    } finally {
      config.LLM_BASE_URL = configured;
    }
  });
});
