import { describe, expect, it } from "vitest";
import { BRIDGE_IDEMPOTENCY_HEADER } from "../shared/bridge";
import { BridgeError, PaddockAgentClient, createEventBatcher } from "./sdk";

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
    const error = await client(fetchImpl).spendCredits(5, "step").catch((e: unknown) => e);
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
