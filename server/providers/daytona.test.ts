// What only the daytona provider does, through the real `@daytonaio/sdk` against the local Daytona
// stand-in: how it names and labels sandboxes, keeps secrets off the command line, how many API
// calls it makes, and what it says when the API fails. What every provider promises is in
// provider-contract.test.ts.
import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDaytonaProvider, DAYTONA_COMMAND_LABEL, type DaytonaSandboxProvider } from "./daytona";
import { startDaytonaStandin, type DaytonaStandin } from "./daytona-standin";
import { closeProviders, getProvider } from "./index";
import { PADDOCK_LABEL, RUN_LABEL } from "./types";

let standin: DaytonaStandin;
let provider: DaytonaSandboxProvider;

beforeAll(async () => {
  standin = await startDaytonaStandin();
  provider = createDaytonaProvider({ apiKey: standin.apiKey, apiUrl: standin.url });
});

afterAll(async () => {
  await provider?.close();
  await closeProviders();
  await standin?.close();
});

beforeEach(() => {
  standin.state.requests.length = 0;
});

const WAIT = { timeout: 30_000, interval: 50 };
const requestsMatching = (pattern: RegExp) => standin.state.requests.filter((r) => pattern.test(r));

describe("daytona provider", () => {
  it("names the sandbox for its run, keeps secrets off the command line, and leaves a stopped sandbox stopped", async () => {
    const runId = "run-lifecycle";
    const created = await provider.create({ runId, labels: { owner: "u1" } });
    expect(created.labels).toMatchObject({ [RUN_LABEL]: runId, [PADDOCK_LABEL]: "1", owner: "u1" });
    const remote = standin.state.sandboxes.get(created.providerId)!;
    expect(remote.name).toBe(`paddock-${runId}`);
    expect(await provider.create({ runId, labels: { owner: "u1" } })).toEqual(created);
    expect(requestsMatching(/^POST \/api\/sandbox$/)).toHaveLength(1);

    await provider.start(created.providerId, { command: "sleep 300", env: { BRIDGE_TOKEN: "secret-token" } });
    // The secret travels in a 0600 file, not in the command Daytona lists with the session.
    const session = remote.sessions.get("paddock-agent")!;
    expect(session.commands[0]!.command).not.toContain("secret-token");
    expect(statSync(path.join(remote.dir, ".paddock/env")).mode & 0o777).toBe(0o600);
    expect(remote.labels[DAYTONA_COMMAND_LABEL]).toBe(session.commands[0]!.id);

    await provider.stop(created.providerId);
    expect(remote.state).toBe("stopped");
    // A start retried after the stop neither wakes the sandbox nor runs the agent again.
    await provider.start(created.providerId, { command: "sleep 300", env: {} });
    expect(remote.state).toBe("stopped");
    expect(requestsMatching(/\/exec$/)).toHaveLength(1);

    await provider.remove(created.providerId);
    expect(standin.state.sandboxes.has(created.providerId)).toBe(false);
  });

  it("surfaces injected failures with what failed, and succeeds when retried", async () => {
    standin.state.failNextCreates = 2;
    await expect(provider.create({ runId: "run-flaky", labels: {} })).rejects.toThrow(
      /Daytona: could not create a sandbox for run run-flaky \(HTTP 500\): Injected failure/,
    );
    await expect(provider.create({ runId: "run-flaky", labels: {} })).rejects.toThrow(/HTTP 500/);
    const { providerId } = await provider.create({ runId: "run-flaky", labels: {} });
    expect(standin.state.failNextCreates).toBe(0);

    standin.state.failNextUploads = 1;
    await expect(provider.upload(providerId, [{ path: "a.txt", content: "a" }])).rejects.toThrow(/could not upload a\.txt/);
    await provider.upload(providerId, [{ path: "a.txt", content: "a" }]);

    standin.state.failNextExecs = 1;
    await expect(provider.start(providerId, { command: "cat a.txt", env: {} })).rejects.toThrow(/could not run the command/);
    expect(await provider.status(providerId)).toEqual({ state: "not_started" });
    await provider.start(providerId, { command: "cat a.txt", env: {} });
    await vi.waitFor(async () => expect((await provider.status(providerId)).state).toBe("exited"), WAIT);
    await provider.remove(providerId);
  });

  it("replaces a sandbox that ended up in an error state when created again", async () => {
    const first = await provider.create({ runId: "run-broken", labels: {} });
    standin.state.sandboxes.get(first.providerId)!.state = "error";
    const second = await provider.create({ runId: "run-broken", labels: {} });
    expect(second.providerId).not.toBe(first.providerId);
    expect(standin.state.sandboxes.has(first.providerId)).toBe(false);
    await provider.remove(second.providerId);
  });

  it("rejects bad env names and credentials with a clear message", async () => {
    const { providerId } = await provider.create({ runId: "run-checks", labels: {} });
    await expect(provider.start(providerId, { command: "true", env: { "BAD-NAME": "x" } })).rejects.toThrow(
      /Invalid environment variable name "BAD-NAME"/,
    );
    expect(await provider.status(providerId)).toEqual({ state: "not_started" });
    await provider.remove(providerId);

    const intruder = createDaytonaProvider({ apiKey: "wrong-key", apiUrl: standin.url });
    try {
      await expect(intruder.create({ runId: "run-intruder", labels: {} })).rejects.toThrow(/HTTP 401/);
    } finally {
      await intruder.close();
    }
  });

  it("runs a verifier with one toolbox call, outside the agent's session", async () => {
    const { providerId } = await provider.create({ runId: "run-verify", labels: {} });
    await provider.start(providerId, { command: "sleep 30", env: {} });
    standin.state.requests.length = 0;
    expect(await provider.exec(providerId, "echo ok", { timeoutMs: 5_000 })).toEqual({ exitCode: 0, output: "ok\n" });
    expect(requestsMatching(/\/process\/execute$/)).toHaveLength(1);
    expect(requestsMatching(/\/process\/session/)).toEqual([]);
    await provider.remove(providerId);
  });

  it("is what getProvider returns for 'daytona', which requires an API key", () => {
    expect(() => getProvider("daytona", { dataDir: ".data" })).toThrow(/needs an API key: set DAYTONA_API_KEY/);
    const viaFactory = getProvider("daytona", { dataDir: ".data", daytonaApiKey: standin.apiKey, daytonaApiUrl: standin.url });
    expect(viaFactory.name).toBe("daytona");
    expect(getProvider("daytona", { dataDir: ".data", daytonaApiKey: standin.apiKey, daytonaApiUrl: standin.url })).toBe(viaFactory);
  });
});
