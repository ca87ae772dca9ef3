// What every sandbox provider promises (types.ts), run against `local` on real child processes and
// `daytona` through the real `@daytonaio/sdk` against the Daytona stand-in. The launch, stop,
// expiry and reaper jobs rely on exactly this, whichever provider a run uses. What only one
// provider does (local's pid bookkeeping, Daytona's secrets file and API faults) is tested in
// local.test.ts and daytona.test.ts.
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDaytonaProvider } from "./daytona";
import { startDaytonaStandin } from "./daytona-standin";
import { createLocalProvider, type LocalSandboxRecord } from "./local";
import {
  EXEC_OUTPUT_MAX_CHARS,
  PADDOCK_LABEL,
  RUN_LABEL,
  type ProviderName,
  type SandboxProcessState,
  type SandboxProvider,
} from "./types";

type Closable = SandboxProvider & { close?: () => Promise<void> };

interface ProviderHarness {
  provider: SandboxProvider;
  /** A second instance over the same sandboxes, as another or a restarted worker holds. */
  another(): Closable;
  /** The directory on this machine holding the sandbox's working directory. */
  workDir(providerId: string): string;
  /** Identifies each launch of the agent's command, so a second launch shows. */
  launches(providerId: string): Promise<string[]>;
  /** Whether `start`'s onExit fires (only where the provider sees the command exit). */
  reportsExit: boolean;
  /**
   * What `exec` reports for a command killed by its timeout. types.ts says null; the stand-in
   * answers -1, as its toolbox does, and the daytona provider passes that on.
   */
  timedOutExitCode: number | null;
  close(): Promise<void>;
}

const harnesses: Record<ProviderName, () => Promise<ProviderHarness>> = {
  async local() {
    const rootDir = await mkdtemp(path.join(os.tmpdir(), "paddock-provider-contract-"));
    const options = { rootDir, stopGraceMs: 500, outputPollMs: 20 };
    return {
      provider: createLocalProvider(options),
      another: () => createLocalProvider(options),
      workDir: (providerId) => path.join(rootDir, providerId, "work"),
      async launches(providerId) {
        const record = JSON.parse(await readFile(path.join(rootDir, providerId, "sandbox.json"), "utf8")) as LocalSandboxRecord;
        return record.process ? [`${record.process.pid}@${record.process.startTime}`] : [];
      },
      reportsExit: true,
      timedOutExitCode: null,
      close: () => rm(rootDir, { recursive: true, force: true }),
    };
  },
  async daytona() {
    const standin = await startDaytonaStandin();
    const connect = () => createDaytonaProvider({ apiKey: standin.apiKey, apiUrl: standin.url });
    const provider = connect();
    return {
      provider,
      another: connect,
      workDir: (providerId) => standin.state.sandboxes.get(providerId)!.dir,
      launches: async (providerId) =>
        standin.state.requests.filter((r) => r === `POST /toolbox/${providerId}/process/session/paddock-agent/exec`),
      reportsExit: false,
      timedOutExitCode: -1,
      async close() {
        await provider.close();
        await standin.close();
      },
    };
  },
};

/** Alive and not a zombie (this machine's PID 1 may never reap orphans). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

const WAIT = { timeout: 30_000, interval: 50 };

async function waitForExit(provider: SandboxProvider, providerId: string): Promise<SandboxProcessState> {
  return vi.waitFor(async () => {
    const state = await provider.status(providerId);
    expect(state.state).toBe("exited");
    return state;
  }, WAIT);
}

// Prints to both streams, leaves a grandchild that would outlive a kill of the command alone, and
// shows whether a server secret reached it.
const AGENT_SCRIPT = `#!/bin/sh
echo "hello $GREETING"
echo "to stderr" >&2
sleep 300 &
echo $! > grandchild.pid
echo "secret: \${DATABASE_URL:-absent}"
while true; do sleep 1; done
`;

describe.each(Object.keys(harnesses) as ProviderName[])("the %s provider", (name) => {
  let h: ProviderHarness;
  let provider: SandboxProvider;

  beforeAll(async () => {
    h = await harnesses[name]();
    provider = h.provider;
  });

  afterAll(async () => {
    if (!h) return;
    for (const sandbox of await provider.list({ [PADDOCK_LABEL]: "1" })) await provider.remove(sandbox.providerId);
    await h.close();
  });

  it("creates one sandbox per run, labelled with the run, however often and concurrently it is asked", async () => {
    const created = await provider.create({ runId: "run-create", labels: { owner: "u1" } });
    expect(provider.name).toBe(name);
    // A provider may add labels of its own (Daytona adds some).
    expect(created.labels).toMatchObject({ owner: "u1", [RUN_LABEL]: "run-create", [PADDOCK_LABEL]: "1" });
    expect(await provider.create({ runId: "run-create", labels: { owner: "u1" } })).toEqual(created);
    expect(await provider.status(created.providerId)).toEqual({ state: "not_started" });

    const racing = await Promise.all([1, 2, 3].map(() => provider.create({ runId: "run-race", labels: {} })));
    expect(new Set(racing.map((s) => s.providerId)).size).toBe(1);
    expect(await provider.list({ [RUN_LABEL]: "run-race" })).toEqual([racing[0]]);
  });

  it("uploads files with their modes into the working directory, and uploads again over them", async () => {
    const { providerId } = await provider.create({ runId: "run-upload", labels: {} });
    const bundle = [
      { path: "agent.sh", content: "#!/bin/sh\necho one\n", mode: 0o755 },
      { path: "config/./settings.json", content: Buffer.from('{"a":1}') },
    ];
    await provider.upload(providerId, bundle);
    await provider.upload(providerId, [{ ...bundle[0]!, content: "#!/bin/sh\necho two\n" }, bundle[1]!]);
    const dir = h.workDir(providerId);
    expect(statSync(path.join(dir, "agent.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(dir, "agent.sh"), "utf8")).toBe("#!/bin/sh\necho two\n");
    expect(readFileSync(path.join(dir, "config/settings.json"), "utf8")).toBe('{"a":1}');
  });

  it("runs the command once with its env, streams its lines, and stops it with everything it spawned", async () => {
    const { providerId } = await provider.create({ runId: "run-lifecycle", labels: {} });
    await provider.upload(providerId, [{ path: "agent.sh", content: AGENT_SCRIPT, mode: 0o755 }]);
    const lines: Array<[string, string]> = [];
    process.env.DATABASE_URL = "postgres://must-not-leak";
    try {
      await provider.start(providerId, {
        command: "./agent.sh",
        env: { GREETING: "it's paddock" },
        onOutput: (line, stream) => lines.push([stream, line]),
      });
    } finally {
      delete process.env.DATABASE_URL;
    }
    await vi.waitFor(() => expect(lines).toHaveLength(3), WAIT);
    expect(lines).toContainEqual(["stdout", "hello it's paddock"]);
    expect(lines).toContainEqual(["stderr", "to stderr"]);
    expect(lines).toContainEqual(["stdout", "secret: absent"]);
    expect(await provider.status(providerId)).toEqual({ state: "running" });

    const launched = await h.launches(providerId);
    expect(launched).toHaveLength(1);
    await provider.start(providerId, { command: "./agent.sh", env: { GREETING: "again" } });
    expect(await h.launches(providerId)).toEqual(launched);

    const grandchild = await vi.waitFor(async () => {
      const pid = Number(await readFile(path.join(h.workDir(providerId), "grandchild.pid"), "utf8"));
      expect(pid).toBeGreaterThan(0);
      return pid;
    }, WAIT);
    expect(isRunning(grandchild)).toBe(true);

    await provider.stop(providerId);
    await vi.waitFor(() => expect(isRunning(grandchild)).toBe(false), WAIT);
    expect(await provider.status(providerId)).toEqual({ state: "exited", exitCode: null });

    // Each step retried after the stop, as a job retried after a crash would: nothing runs again.
    await provider.stop(providerId);
    await provider.start(providerId, { command: "./agent.sh", env: {} });
    expect(await h.launches(providerId)).toEqual(launched);
    expect(await provider.status(providerId)).toEqual({ state: "exited", exitCode: null });

    const workDir = h.workDir(providerId);
    await provider.remove(providerId);
    expect(existsSync(workDir)).toBe(false);
    expect(await provider.status(providerId)).toEqual({ state: "missing" });
    expect(await provider.list({ [RUN_LABEL]: "run-lifecycle" })).toEqual([]);
    await provider.remove(providerId);
    await provider.stop(providerId);
  });

  it("reports the exit code of a command that ends on its own, with its last unterminated line", async () => {
    const { providerId } = await provider.create({ runId: "run-exit", labels: {} });
    const lines: string[] = [];
    let exits = 0;
    await provider.start(providerId, {
      command: "echo done; printf 'no newline'; exit 3",
      env: {},
      onOutput: (line) => lines.push(line),
      onExit: () => exits++,
    });
    expect(await waitForExit(provider, providerId)).toEqual({ state: "exited", exitCode: 3 });
    await vi.waitFor(() => expect(lines).toEqual(["done", "no newline"]), WAIT);
    if (h.reportsExit) await vi.waitFor(() => expect(exits).toBe(1), WAIT);

    // Starting a finished sandbox again does not run the command again.
    const launched = await h.launches(providerId);
    await provider.start(providerId, { command: "exit 0", env: {} });
    expect(await h.launches(providerId)).toEqual(launched);
    expect(await provider.status(providerId)).toEqual({ state: "exited", exitCode: 3 });
  });

  it("lets another instance find its sandboxes by label, inspect, stop and remove them", async () => {
    const blue = await provider.create({ runId: "run-blue", labels: { team: "blue" } });
    const red = await provider.create({ runId: "run-red", labels: { team: "red" } });
    await provider.start(red.providerId, { command: "sleep 300", env: {} });

    const other = h.another();
    try {
      expect(await other.list({ [RUN_LABEL]: "run-blue" })).toEqual([blue]);
      expect(await other.list({ team: "red", [PADDOCK_LABEL]: "1" })).toMatchObject([{ providerId: red.providerId, labels: red.labels }]);
      expect(await other.list({ team: "green" })).toEqual([]);
      expect(await other.status(red.providerId)).toEqual({ state: "running" });
      expect(await other.status(blue.providerId)).toEqual({ state: "not_started" });
      await other.stop(red.providerId);
      expect(await provider.status(red.providerId)).toEqual({ state: "exited", exitCode: null });
      await other.remove(blue.providerId);
      await other.remove(red.providerId);
    } finally {
      await other.close?.();
    }
    expect(await provider.list({ team: "blue" })).toEqual([]);
    expect(await provider.list({ team: "red" })).toEqual([]);
  });

  it("reports an unknown sandbox as missing, lets stop and remove succeed, and refuses to use it", async () => {
    const id = "no-such-sandbox";
    expect(await provider.status(id)).toEqual({ state: "missing" });
    await provider.stop(id);
    await provider.remove(id);
    await expect(provider.start(id, { command: "true", env: {} })).rejects.toThrow(/does not exist/);
    await expect(provider.upload(id, [{ path: "a.txt", content: "" }])).rejects.toThrow(/does not exist/);
    await expect(provider.exec(id, "true", { timeoutMs: 1_000 })).rejects.toThrow(/does not exist/);
  });

  it("refuses bundle paths that leave the working directory, writing nothing", async () => {
    const { providerId } = await provider.create({ runId: "run-paths", labels: {} });
    await expect(provider.upload(providerId, [{ path: "../outside.txt", content: "x" }])).rejects.toThrow(/inside the sandbox/);
    await expect(provider.upload(providerId, [{ path: "/etc/passwd", content: "x" }])).rejects.toThrow(/relative/);
    await expect(provider.upload(providerId, [{ path: "", content: "x" }])).rejects.toThrow(/non-empty relative path/);
    expect(existsSync(path.join(h.workDir(providerId), "..", "outside.txt"))).toBe(false);
  });

  it("runs a verifier beside the agent in the working directory, without the agent's or the server's secrets", async () => {
    const { providerId } = await provider.create({ runId: "run-exec", labels: {} });
    await provider.upload(providerId, [
      { path: "results/a.txt", content: "a" },
      { path: "results/b.txt", content: "b" },
    ]);
    await provider.start(providerId, { command: "sleep 300", env: { BRIDGE_TOKEN: "secret-token" } });
    process.env.PADDOCK_EXEC_PROBE = "server-secret";
    try {
      const result = await provider.exec(
        providerId,
        'echo "token=${BRIDGE_TOKEN:-none} probe=${PADDOCK_EXEC_PROBE:-none}"; echo oops >&2; ls results | wc -l; exit 4',
        { timeoutMs: 5_000 },
      );
      expect(result.exitCode).toBe(4);
      // stdout and stderr together; local reads them from two pipes, so their order is not promised.
      expect(result.output.trim().split("\n").sort()).toEqual(["2", "oops", "token=none probe=none"]);
    } finally {
      delete process.env.PADDOCK_EXEC_PROBE;
    }
    expect(await provider.status(providerId)).toEqual({ state: "running" });

    const long = await provider.exec(providerId, "yes 0123456789 | head -c 100000; echo; echo 7", { timeoutMs: 5_000 });
    expect(long.exitCode).toBe(0);
    expect(long.output.length).toBeLessThanOrEqual(EXEC_OUTPUT_MAX_CHARS);
    expect(long.output.trimEnd().endsWith("\n7")).toBe(true);

    const slow = await provider.exec(providerId, "echo started; sleep 30", { timeoutMs: 300 });
    expect(slow.exitCode).toBe(h.timedOutExitCode);
    expect(slow.output).toMatch(/^started\n/);
    await provider.remove(providerId);
  });
});
