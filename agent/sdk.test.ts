import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { BRIDGE_IDEMPOTENCY_HEADER } from "../shared/bridge";
import { BridgeError, PaddockAgentClient, REQUEST_IN_PROGRESS, createEventBatcher, retryBudgetFromEnv } from "./sdk";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers from a script and records every request. */
function scriptedFetch(script: (call: Call, n: number) => Response | Error) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = init?.body;
    const call: Call = {
      url: input instanceof Request ? input.url : String(input),
      method: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof body === "string" ? JSON.parse(body) : body,
    };
    calls.push(call);
    const answer = script(call, calls.length);
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const client = (fetchImpl: typeof fetch) =>
  new PaddockAgentClient({
    baseUrl: "http://bridge.test/api/agent/v1/",
    token: "tok",
    fetch: fetchImpl,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  });

describe("PaddockAgentClient", () => {
  it("sends the bearer token and parses typed responses", async () => {
    const { fetchImpl, calls } = scriptedFetch(() => json(200, { currentProgress: 42, reachedTarget: false }));
    await expect(client(fetchImpl).progress(42, "halfway")).resolves.toEqual({ currentProgress: 42, reachedTarget: false });
    expect(calls[0]).toMatchObject({
      url: "http://bridge.test/api/agent/v1/progress",
      method: "POST",
      body: { value: 42, note: "halfway" },
    });
    expect(calls[0]!.headers.authorization).toBe("Bearer tok");
  });

  it("retries 5xx, 429 and network errors with the same idempotency key", async () => {
    const { fetchImpl, calls } = scriptedFetch((_call, n) =>
      n === 1 ? json(503, {}) : n === 2 ? new TypeError("fetch failed") : json(200, { creditsSpent: 5, creditsRemaining: 95 }),
    );
    await expect(client(fetchImpl).spendCredits(5, "step")).resolves.toEqual({ creditsSpent: 5, creditsRemaining: 95 });
    expect(calls).toHaveLength(3);
    const keys = new Set(calls.map((c) => c.headers[BRIDGE_IDEMPOTENCY_HEADER.toLowerCase()]));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never retries a 4xx and surfaces the server's code, message and field", async () => {
    const { fetchImpl, calls } = scriptedFetch(() =>
      json(409, { error: { code: "INSUFFICIENT_FUNDS", message: "only 3 credits left", field: "amount" } }),
    );
    const error = await client(fetchImpl)
      .spendCredits(5, "step")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ status: 409, code: "INSUFFICIENT_FUNDS", message: "only 3 credits left", field: "amount" });
    expect(calls).toHaveLength(1);
  });

  it("gives up after the configured retries with a NETWORK_ERROR", async () => {
    const { fetchImpl, calls } = scriptedFetch(() => new TypeError("fetch failed"));
    await expect(client(fetchImpl).heartbeat()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect(calls).toHaveLength(3);
  });

  it("reports the last retryable status once retries are spent", async () => {
    const { fetchImpl } = scriptedFetch(() => new Response("overloaded", { status: 429, headers: { "retry-after": "0" } }));
    await expect(client(fetchImpl).run()).rejects.toMatchObject({ status: 429, code: "HTTP_429" });
  });

  it("rejects a response that breaks the contract", async () => {
    const { fetchImpl } = scriptedFetch(() => json(200, { ok: "yes" }));
    await expect(client(fetchImpl).heartbeat()).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("long-polls prompts and acknowledges by id", async () => {
    const { fetchImpl, calls } = scriptedFetch((call) =>
      call.url.includes("/ack")
        ? json(200, { id: "p 1", status: "acknowledged" })
        : json(200, { prompts: [{ id: "p 1", text: "faster", createdAt: "2030-01-01T00:00:00Z" }] }),
    );
    const c = client(fetchImpl);
    expect(await c.prompts({ waitSeconds: 10 })).toHaveLength(1);
    await c.ack("p 1", "ok");
    expect(calls[0]!.url).toBe("http://bridge.test/api/agent/v1/prompts?wait=10");
    expect(calls[1]!.url).toBe("http://bridge.test/api/agent/v1/prompts/p%201/ack");
    expect(calls[1]!.body).toEqual({ response: "ok" });
  });

  it("uploads artifacts as multipart form data", async () => {
    const { fetchImpl, calls } = scriptedFetch(() =>
      json(200, { id: "a1", kind: "screenshot", filename: "s.png", size: 3, contentType: "image/png" }),
    );
    await client(fetchImpl).uploadArtifact({
      filename: "s.png",
      content: Buffer.from([1, 2, 3]),
      contentType: "image/png",
      kind: "screenshot",
      caption: "home",
    });
    const form = calls[0]!.body as FormData;
    expect(form.get("kind")).toBe("screenshot");
    expect(form.get("caption")).toBe("home");
    const file = form.get("file") as File;
    expect(file.name).toBe("s.png");
    expect(file.type).toBe("image/png");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("names missing variables in fromEnv", () => {
    expect(() => PaddockAgentClient.fromEnv({ PADDOCK_BRIDGE_URL: "http://x/api/agent/v1" })).toThrow(/PADDOCK_TOKEN/);
  });
});

describe("createEventBatcher", () => {
  it("batches by size and by time, in order, with per-event timestamps", async () => {
    const batches: unknown[][] = [];
    const fake = {
      events: async (batch: unknown[]) => {
        batches.push(batch);
        return { accepted: batch.length, lastSeq: 0 };
      },
    };
    const batcher = createEventBatcher(fake, { maxBatch: 2, flushMs: 10 });
    batcher.event("log", { message: "1" });
    batcher.event("log", { message: "2" });
    batcher.event("thought", { text: "3" });
    expect(batcher.pending).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    expect(batches[0]![0]).toMatchObject({ kind: "log", payload: { message: "1" }, at: expect.any(String) });
    await batcher.close();
    expect(() => batcher.event("log", { message: "late" })).toThrow(/closed/);
  });

  it("reports failed batches instead of throwing", async () => {
    const dropped: unknown[] = [];
    const batcher = createEventBatcher(
      { events: async () => Promise.reject(new BridgeError(400, "BAD_REQUEST", "bad")) },
      { onError: (_error, events) => dropped.push(...events) },
    );
    batcher.event("log", { message: "x" });
    await batcher.flush();
    expect(dropped).toHaveLength(1);
  });
});

/** A real HTTP server on a free port; `answer` decides per request (n counts from 1). */
async function bridgeServer(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const keys: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    keys.push(req.headers[BRIDGE_IDEMPOTENCY_HEADER.toLowerCase()] as string | undefined);
    answer(++n, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    keys,
    requests: () => n,
    baseUrl: `http://127.0.0.1:${port}/api/agent/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

describe("PaddockAgentClient through a bridge outage", () => {
  const fast = { baseDelayMs: 5, maxDelayMs: 20 };

  it("keeps retrying a write through dropped connections and 502/503/504 with one idempotency key", async () => {
    // Six failed attempts: more than the three retries the client used to allow.
    const bridge = await bridgeServer((n, req, res) => {
      if (n <= 3) return req.socket.destroy();
      if (n <= 6) return send(res, [502, 503, 504][n - 4]!, { error: { code: "UNAVAILABLE", message: "restarting" } });
      send(res, 200, { creditsSpent: 5, creditsRemaining: 95 });
    });
    try {
      const c = new PaddockAgentClient({ baseUrl: bridge.baseUrl, token: "tok", retry: fast });
      await expect(c.spendCredits(5, "step")).resolves.toEqual({ creditsSpent: 5, creditsRemaining: 95 });
      expect(bridge.requests()).toBe(7);
      expect(new Set(bridge.keys).size).toBe(1);
      expect(bridge.keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await bridge.close();
    }
  });

  it("waits for a bridge that is not listening yet", async () => {
    const probe = await bridgeServer(() => undefined);
    const port = probe.port;
    await probe.close();
    const c = new PaddockAgentClient({ baseUrl: `http://127.0.0.1:${port}/api/agent/v1`, token: "tok", retry: fast });
    const heartbeat = c.heartbeat();
    // The API is "restarting": nothing listens on its port for a while.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const server = createServer((_req, res) => send(res, 200, { ok: true }));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      await expect(heartbeat).resolves.toEqual({ ok: true });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("retries a request the bridge reports as still in progress", async () => {
    const bridge = await bridgeServer((n, _req, res) =>
      n === 1
        ? send(res, 409, { error: { code: REQUEST_IN_PROGRESS, message: "still being processed" } }, { "retry-after": "0" })
        : send(res, 200, { status: "succeeded" }),
    );
    try {
      const c = new PaddockAgentClient({ baseUrl: bridge.baseUrl, token: "tok", retry: fast });
      await expect(c.complete("succeeded")).resolves.toEqual({ status: "succeeded" });
      expect(bridge.requests()).toBe(2);
    } finally {
      await bridge.close();
    }
  });

  it("gives up once the budget is spent, with the last answer", async () => {
    const bridge = await bridgeServer((_n, _req, res) => send(res, 503, { error: { code: "UNAVAILABLE", message: "down" } }));
    try {
      const c = new PaddockAgentClient({ baseUrl: bridge.baseUrl, token: "tok", retry: { ...fast, budgetMs: 200 } });
      await expect(c.heartbeat()).rejects.toMatchObject({ status: 503, code: "UNAVAILABLE" });
      expect(bridge.requests()).toBeGreaterThan(1);
    } finally {
      await bridge.close();
    }
  });

  it("honours Retry-After of a 429: a pause past the budget ends the call at once", async () => {
    const bridge = await bridgeServer((_n, _req, res) =>
      send(res, 429, { error: { code: "RATE_LIMITED", message: "slow down" } }, { "retry-after": "30" }),
    );
    try {
      const c = new PaddockAgentClient({ baseUrl: bridge.baseUrl, token: "tok", retry: { ...fast, budgetMs: 10_000 } });
      await expect(c.events([])).rejects.toMatchObject({ status: 429, code: "RATE_LIMITED" });
      // Its own backoff (at most 20 ms) would have retried many times within 10 s.
      expect(bridge.requests()).toBe(1);
    } finally {
      await bridge.close();
    }
  });

  it("never retries a 501 or a 4xx", async () => {
    const bridge = await bridgeServer((_n, _req, res) => send(res, 501, { error: { code: "NOT_IMPLEMENTED", message: "no" } }));
    try {
      const c = new PaddockAgentClient({ baseUrl: bridge.baseUrl, token: "tok", retry: fast });
      await expect(c.heartbeat()).rejects.toMatchObject({ status: 501 });
      expect(bridge.requests()).toBe(1);
    } finally {
      await bridge.close();
    }
  });

  it("takes its budget from PADDOCK_RETRY_SECONDS, named when invalid", () => {
    expect(retryBudgetFromEnv({})).toBe(60_000);
    expect(retryBudgetFromEnv({ PADDOCK_RETRY_SECONDS: "1.5" })).toBe(1_500);
    expect(() => retryBudgetFromEnv({ PADDOCK_RETRY_SECONDS: "soon" })).toThrow(/PADDOCK_RETRY_SECONDS/);
    expect(() =>
      PaddockAgentClient.fromEnv({ PADDOCK_BRIDGE_URL: "http://x/api/agent/v1", PADDOCK_TOKEN: "t", PADDOCK_RETRY_SECONDS: "-1" }),
    ).toThrow(/PADDOCK_RETRY_SECONDS/);
  });
});
