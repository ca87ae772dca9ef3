// The daytona provider through the real `@daytonaio/sdk`, against the local Daytona stand-in.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitUntil } from "../test/paddock-harness";
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

const requestsMatching = (pattern: RegExp) => standin.state.requests.filter((r) => pattern.test(r));

describe("daytona provider", () => {
  it("creates, uploads, runs, streams, stops and removes a sandbox", async () => {
    const runId = "run-lifecycle";
    const created = await provider.create({ runId, labels: { [RUN_LABEL]: runId, owner: "u1" } });
    expect(created.labels).toMatchObject({ [RUN_LABEL]: runId, [PADDOCK_LABEL]: "1", owner: "u1" });
    const remote = standin.state.sandboxes.get(created.providerId)!;
    expect(remote.name).toBe(`paddock-${runId}`);
    expect(await provider.status(created.providerId)).toEqual({ state: "not_started" });

    await provider.upload(created.providerId, [
      { path: "agent.sh", content: 'echo "hello $GREETING"\necho oops >&2\nwhile true; do sleep 1; done\n', mode: 0o755 },
      { path: "data/input.json", content: Buffer.from('{"n":1}') },
    ]);
    expect(statSync(path.join(remote.dir, "agent.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(remote.dir, "data/input.json"), "utf8")).toBe('{"n":1}');

    const lines: Array<[string, string]> = [];
    await provider.start(created.providerId, {
      command: "./agent.sh",
      env: { GREETING: "it's paddock", BRIDGE_TOKEN: "secret-token" },
      onOutput: (line, stream) => lines.push([stream, line]),
    });
    await waitUntil(() => lines.length >= 2, "streamed output");
    expect(lines).toContainEqual(["stdout", "hello it's paddock"]);
    expect(lines).toContainEqual(["stderr", "oops"]);
    expect(await provider.status(created.providerId)).toEqual({ state: "running" });
    // The secret travels in a 0600 file, not in the command Daytona lists with the session.
    const session = remote.sessions.get("paddock-agent")!;
    expect(session.commands[0]!.command).not.toContain("secret-token");
    expect(statSync(path.join(remote.dir, ".paddock/env")).mode & 0o777).toBe(0o600);
    expect(remote.labels[DAYTONA_COMMAND_LABEL]).toBe(session.commands[0]!.id);

    // Starting again is a no-op: no second command.
    await provider.start(created.providerId, { command: "./agent.sh", env: {} });
    expect(requestsMatching(/\/exec$/)).toHaveLength(1);

    await provider.stop(created.providerId);
    expect(remote.state).toBe("stopped");
    expect(await provider.status(created.providerId)).toEqual({ state: "exited", exitCode: null });
    await provider.stop(created.providerId);
    // A start retried after the stop neither wakes the sandbox nor runs the agent again.
    await provider.start(created.providerId, { command: "./agent.sh", env: {} });
    expect(remote.state).toBe("stopped");
    expect(requestsMatching(/\/exec$/)).toHaveLength(1);

    await provider.remove(created.providerId);
    expect(standin.state.sandboxes.has(created.providerId)).toBe(false);
    expect(existsSync(remote.dir)).toBe(false);
    expect(await provider.status(created.providerId)).toEqual({ state: "missing" });
    await provider.remove(created.providerId);
    await provider.stop(created.providerId);
  });

  it("reports the exit code of a finished command", async () => {
    const { providerId } = await provider.create({ runId: "run-exit", labels: {} });
    const lines: string[] = [];
    await provider.start(providerId, { command: "echo bye; exit 3", env: {}, onOutput: (l) => lines.push(l) });
    const state = await waitUntil(async () => {
      const s = await provider.status(providerId);
      return s.state === "exited" ? s : undefined;
    }, "exit");
    expect(state).toEqual({ state: "exited", exitCode: 3 });
    await waitUntil(() => lines.includes("bye"), "output");
    await provider.remove(providerId);
  });

  it("is idempotent per run and finds sandboxes by label from another provider instance", async () => {
    const a = await provider.create({ runId: "run-a", labels: { team: "blue" } });
    const again = await provider.create({ runId: "run-a", labels: { team: "blue" } });
    expect(again.providerId).toBe(a.providerId);
    expect(requestsMatching(/^POST \/api\/sandbox$/)).toHaveLength(1);
    const b = await provider.create({ runId: "run-b", labels: { team: "red" } });
    await provider.start(b.providerId, { command: "sleep 30", env: {} });

    const otherWorker = createDaytonaProvider({ apiKey: standin.apiKey, apiUrl: standin.url });
    try {
      expect(await otherWorker.list({ [RUN_LABEL]: "run-a" })).toEqual([a]);
      expect((await otherWorker.list({ [PADDOCK_LABEL]: "1" })).map((s) => s.providerId).sort()).toEqual(
        [a.providerId, b.providerId].sort(),
      );
      expect(await otherWorker.list({ team: "green" })).toEqual([]);
      expect(await otherWorker.status(b.providerId)).toEqual({ state: "running" });
      await otherWorker.stop(b.providerId);
      expect(await provider.status(b.providerId)).toEqual({ state: "exited", exitCode: null });
      await otherWorker.remove(a.providerId);
      await otherWorker.remove(b.providerId);
    } finally {
      await otherWorker.close();
    }
    expect(await provider.list({ [PADDOCK_LABEL]: "1" })).toEqual([]);
  });

  it("reports unknown sandboxes as missing and refuses to use them", async () => {
    expect(await provider.status("no-such-sandbox")).toEqual({ state: "missing" });
    await provider.stop("no-such-sandbox");
    await provider.remove("no-such-sandbox");
    await expect(provider.start("no-such-sandbox", { command: "true", env: {} })).rejects.toThrow(/does not exist/);
    await expect(provider.upload("no-such-sandbox", [{ path: "a", content: "" }])).rejects.toThrow(/does not exist/);
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
    await waitUntil(async () => (await provider.status(providerId)).state === "exited", "exit");
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

  it("rejects bad paths, env names and credentials with a clear message", async () => {
    const { providerId } = await provider.create({ runId: "run-checks", labels: {} });
    await expect(provider.upload(providerId, [{ path: "../x", content: "" }])).rejects.toThrow(/inside the sandbox/);
    await expect(provider.start(providerId, { command: "true", env: { "BAD-NAME": "x" } })).rejects.toThrow(
      /Invalid environment variable name "BAD-NAME"/,
    );
    await provider.remove(providerId);

    const intruder = createDaytonaProvider({ apiKey: "wrong-key", apiUrl: standin.url });
    try {
      await expect(intruder.create({ runId: "run-intruder", labels: {} })).rejects.toThrow(/HTTP 401/);
    } finally {
      await intruder.close();
    }
  });

  it("runs a verifier in the sandbox's working directory, without the agent's environment", async () => {
    const { providerId } = await provider.create({ runId: "run-verify", labels: {} });
    await provider.upload(providerId, [{ path: "results/a.txt", content: "a" }, { path: "results/b.txt", content: "b" }, { path: "results/c.txt", content: "c" }]);
    await provider.start(providerId, { command: "sleep 30", env: { BRIDGE_TOKEN: "secret-token" } });
    const result = await provider.exec(providerId, 'echo "token=${BRIDGE_TOKEN:-none}"; echo oops >&2; ls results | wc -l', { timeoutMs: 5_000 });
    expect(result.exitCode).toBe(0);
    expect(result.output.trim().split("\n")).toEqual(["token=none", "oops", "3"]);
    expect(requestsMatching(/\/process\/execute$/)).toHaveLength(1);
    await expect(provider.exec("no-such-sandbox", "true", { timeoutMs: 1_000 })).rejects.toThrow(/does not exist/);
    await provider.remove(providerId);
  });

  it("is what getProvider returns for 'daytona', which requires an API key", () => {
    expect(() => getProvider("daytona", { dataDir: ".data" })).toThrow(/needs an API key: set DAYTONA_API_KEY/);
    const viaFactory = getProvider("daytona", { dataDir: ".data", daytonaApiKey: standin.apiKey, daytonaApiUrl: standin.url });
    expect(viaFactory.name).toBe("daytona");
    expect(getProvider("daytona", { dataDir: ".data", daytonaApiKey: standin.apiKey, daytonaApiUrl: standin.url })).toBe(viaFactory);
  });
});
