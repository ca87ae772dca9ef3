import { describe, expect, it } from "vitest";
import { buildEvent, defaultWaitValue, runCli } from "./cli-commands";

const env = { PADDOCK_BRIDGE_URL: "http://bridge.test/api/agent/v1", PADDOCK_TOKEN: "tok" };

function io(answer: (url: string, body: unknown) => Response) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: { url: string; body: unknown }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : init?.body;
    const url = input instanceof Request ? input.url : String(input);
    requests.push({ url, body });
    return answer(url, body);
  }) as typeof fetch;
  return { io: { env, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), fetch: fetchImpl }, out, err, requests };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("buildEvent", () => {
  it("puts plain text into the kind's main field", () => {
    expect(buildEvent("log", "hello")).toEqual({ kind: "log", payload: { message: "hello" } });
    expect(buildEvent("thought", "hmm")).toEqual({ kind: "thought", payload: { text: "hmm" } });
    expect(buildEvent("progress", "12.5")).toEqual({ kind: "progress", payload: { value: 12.5 } });
  });

  it("takes JSON payloads as they are", () => {
    expect(buildEvent("action", '{"name":"click"}')).toEqual({ kind: "action", payload: { name: "click" } });
  });

  it("refuses unknown kinds and text for JSON-only kinds", () => {
    expect(() => buildEvent("shout", "x")).toThrow(/one of: log/);
    expect(() => buildEvent("email", "x")).toThrow(/needs a JSON payload/);
    expect(() => buildEvent("action", "{bad")).toThrow(/not valid JSON/);
  });
});

describe("defaultWaitValue", () => {
  it("completes a bare --wait with the maximum", () => {
    expect(defaultWaitValue(["--wait"])).toEqual(["--wait", "25"]);
    expect(defaultWaitValue(["--wait", "5"])).toEqual(["--wait", "5"]);
    expect(defaultWaitValue(["--wait=3"])).toEqual(["--wait=3"]);
  });
});

describe("runCli", () => {
  it("posts progress and prints the server's answer", async () => {
    const t = io(() => json(200, { currentProgress: 42, reachedTarget: false }));
    expect(await runCli(["progress", "42", "--note", "half"], t.io)).toBe(0);
    expect(t.requests[0]).toEqual({ url: "http://bridge.test/api/agent/v1/progress", body: { value: 42, note: "half" } });
    expect(t.out.join("")).toBe('{"currentProgress":42,"reachedTarget":false}\n');
  });

  it("prints prompts as JSON lines", async () => {
    const prompts = [
      { id: "p1", text: "faster", createdAt: "2030-01-01T00:00:00Z" },
      { id: "p2", text: "stop", createdAt: "2030-01-01T00:00:01Z" },
    ];
    const t = io(() => json(200, { prompts }));
    expect(await runCli(["prompts", "--wait"], t.io)).toBe(0);
    expect(t.requests[0]!.url).toMatch(/\?wait=25$/);
    expect(t.out.map((line) => JSON.parse(line))).toEqual(prompts);
  });

  it("exits 1 with the server's error message", async () => {
    const t = io(() => json(409, { error: { code: "INSUFFICIENT_FUNDS", message: "only 2 credits left", field: "amount" } }));
    expect(await runCli(["spend", "5", "--reason", "search"], t.io)).toBe(1);
    expect(t.err.join("")).toBe("paddock-agent: INSUFFICIENT_FUNDS: only 2 credits left (field: amount)\n");
  });

  it("exits 2 on usage errors without calling the bridge", async () => {
    const t = io(() => json(200, {}));
    expect(await runCli(["done"], t.io)).toBe(2);
    expect(await runCli(["spend", "5"], t.io)).toBe(2);
    expect(await runCli(["frobnicate"], t.io)).toBe(2);
    expect(await runCli(["progress", "1", "--bogus"], t.io)).toBe(2);
    expect(t.requests).toHaveLength(0);
    expect(t.err.join("")).toContain("--reason is required");
  });

  it("names the missing environment variable", async () => {
    const t = io(() => json(200, {}));
    expect(await runCli(["run"], { ...t.io, env: {} })).toBe(2);
    expect(t.err.join("")).toMatch(/PADDOCK_BRIDGE_URL[\s\S]*PADDOCK_TOKEN/);
  });

  it("retries an unavailable bridge within PADDOCK_RETRY_SECONDS", async () => {
    let calls = 0;
    const flaky = () => (++calls <= 2 ? json(503, { error: { code: "UNAVAILABLE", message: "restarting" } }) : json(200, { ok: true }));
    const patient = io(flaky);
    expect(await runCli(["heartbeat"], patient.io)).toBe(0);
    expect(patient.requests).toHaveLength(3);

    calls = 0;
    const impatient = io(flaky);
    expect(await runCli(["heartbeat"], { ...impatient.io, env: { ...env, PADDOCK_RETRY_SECONDS: "0" } })).toBe(1);
    expect(impatient.requests).toHaveLength(1);
    expect(impatient.err.join("")).toContain("UNAVAILABLE");
  });
});
