// The local provider against real child processes, including a second provider instance and a
// second OS process standing in for a worker that was restarted.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../test/paddock-harness";
import { getProvider } from "./index";
import { createLocalProvider, type LocalSandboxRecord } from "./local";
import { EXEC_OUTPUT_MAX_CHARS, RUN_LABEL, type SandboxProvider } from "./types";

let rootDir: string;
let provider: SandboxProvider;

beforeAll(async () => {
  rootDir = await mkdtemp(path.join(os.tmpdir(), "paddock-local-provider-"));
  provider = createLocalProvider({ rootDir, stopGraceMs: 500, outputPollMs: 20 });
});

afterAll(async () => {
  for (const sandbox of await provider.list({})) await provider.remove(sandbox.providerId);
  await rm(rootDir, { recursive: true, force: true });
});

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

const readRecord = async (runId: string) =>
  JSON.parse(await readFile(path.join(rootDir, runId, "sandbox.json"), "utf8")) as LocalSandboxRecord;

// Prints, starts a grandchild that would outlive a naive kill, then keeps running.
const AGENT_SCRIPT = `#!/bin/sh
echo "hello $GREETING"
echo "to stderr" >&2
sleep 300 &
echo $! > grandchild.pid
echo "secret: \${DATABASE_URL:-absent}"
while true; do sleep 1; done
`;

describe("local provider", () => {
  it("runs a command, streams its lines, and stops its whole process group", async () => {
    const runId = "run-lifecycle";
    const created = await provider.create({ runId, labels: { [RUN_LABEL]: runId, owner: "u1" } });
    expect(created).toEqual({ providerId: runId, labels: { [RUN_LABEL]: runId, owner: "u1", paddock: "1" } });
    expect(await provider.create({ runId, labels: { [RUN_LABEL]: runId } })).toEqual(created);
    expect(await provider.status(runId)).toEqual({ state: "not_started" });

    await provider.upload(runId, [
      { path: "agent.sh", content: AGENT_SCRIPT, mode: 0o755 },
      { path: "config/settings.json", content: Buffer.from('{"a":1}') },
    ]);
    const workDir = path.join(rootDir, runId, "work");
    expect(statSync(path.join(workDir, "agent.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(workDir, "config/settings.json"), "utf8")).toBe('{"a":1}');

    const lines: Array<[string, string]> = [];
    process.env.DATABASE_URL = "postgres://must-not-leak";
    try {
      await provider.start(runId, { command: "./agent.sh", env: { GREETING: "paddock" }, onOutput: (l, s) => lines.push([s, l]) });
    } finally {
      delete process.env.DATABASE_URL;
    }
    await waitUntil(() => lines.length >= 3, "output lines");
    expect(lines).toContainEqual(["stdout", "hello paddock"]);
    expect(lines).toContainEqual(["stderr", "to stderr"]);
    expect(lines).toContainEqual(["stdout", "secret: absent"]);
    expect(await provider.status(runId)).toEqual({ state: "running" });

    // A second start while running is a no-op: same process, no second "hello".
    const { process: first } = await readRecord(runId);
    await provider.start(runId, { command: "./agent.sh", env: { GREETING: "again" } });
    expect((await readRecord(runId)).process).toEqual(first);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.filter(([, l]) => l.startsWith("hello"))).toHaveLength(1);

    const grandchild = Number(await waitUntil(() => readFile(path.join(workDir, "grandchild.pid"), "utf8").catch(() => undefined), "grandchild pid"));
    expect(isRunning(grandchild)).toBe(true);

    await provider.stop(runId);
    expect(isRunning(first!.pid)).toBe(false);
    expect(isRunning(grandchild)).toBe(false);
    expect(await provider.status(runId)).toEqual({ state: "exited", exitCode: null });
    expect((await readRecord(runId)).state).toBe("stopped");
    expect(readFileSync(path.join(rootDir, runId, "stdout.log"), "utf8")).toContain("hello paddock");

    await provider.stop(runId); // idempotent
    await provider.remove(runId);
    expect(existsSync(path.join(rootDir, runId))).toBe(false);
    expect(await provider.status(runId)).toEqual({ state: "missing" });
    await provider.remove(runId);
    await provider.stop(runId);
  });

  it("records the exit code of a command that exits on its own", async () => {
    const runId = "run-exit-3";
    await provider.create({ runId, labels: {} });
    const lines: string[] = [];
    await provider.start(runId, { command: "echo done; printf 'no newline'; exit 3", env: {}, onOutput: (l) => lines.push(l) });
    const state = await waitUntil(async () => {
      const s = await provider.status(runId);
      return s.state === "exited" ? s : undefined;
    }, "exit");
    expect(state).toEqual({ state: "exited", exitCode: 3 });
    await waitUntil(() => lines.includes("no newline"), "final unterminated line");
    expect(lines).toEqual(["done", "no newline"]);
    // Starting a finished sandbox again does not re-run the command.
    await provider.start(runId, { command: "exit 0", env: {} });
    expect(await provider.status(runId)).toEqual({ state: "exited", exitCode: 3 });
    await provider.remove(runId);
  });

  it("lets another provider instance find, inspect and stop a sandbox", async () => {
    const runId = "run-shared";
    await provider.create({ runId, labels: { team: "blue" } });
    await provider.create({ runId: "run-other", labels: { team: "red" } });
    await provider.start(runId, { command: "sleep 300", env: {} });

    const restarted = createLocalProvider({ rootDir, stopGraceMs: 500 });
    expect(await restarted.list({ [RUN_LABEL]: runId })).toEqual([
      { providerId: runId, labels: { team: "blue", [RUN_LABEL]: runId, paddock: "1" } },
    ]);
    expect((await restarted.list({ paddock: "1" })).map((s) => s.providerId).sort()).toEqual(["run-other", runId]);
    expect(await restarted.list({ team: "green" })).toEqual([]);
    expect(await restarted.status(runId)).toEqual({ state: "running" });

    await restarted.stop(runId);
    expect(await provider.status(runId)).toEqual({ state: "exited", exitCode: null });
    await restarted.remove(runId);
    await restarted.remove("run-other");
    expect(await provider.list({})).toEqual([]);
  });

  it("records the exit code after the process that started the command was SIGKILLed", async () => {
    const runId = "run-orphan";
    const localModule = path.join(path.dirname(fileURLToPath(import.meta.url)), "local.ts");
    const script = `
      const { createLocalProvider } = await import(${JSON.stringify(localModule)});
      const p = createLocalProvider({ rootDir: ${JSON.stringify(rootDir)} });
      await p.create({ runId: ${JSON.stringify(runId)}, labels: {} });
      await p.start(${JSON.stringify(runId)}, { command: "sleep 1; echo finished; exit 7", env: {}, onOutput: () => {} });
      process.kill(process.pid, "SIGKILL");
    `;
    const worker = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    worker.stderr.on("data", (chunk) => (stderr += chunk));
    const [, signal] = await new Promise<[number | null, string | null]>((resolve) => worker.on("exit", (...args) => resolve(args)));
    expect(signal, stderr).toBe("SIGKILL");

    expect(await provider.status(runId)).toEqual({ state: "running" });
    const state = await waitUntil(async () => {
      const s = await provider.status(runId);
      return s.state === "exited" ? s : undefined;
    }, "orphaned command to exit");
    expect(state).toEqual({ state: "exited", exitCode: 7 });
    expect(readFileSync(path.join(rootDir, runId, "stdout.log"), "utf8")).toBe("finished\n");
    await provider.remove(runId);
  }, 20_000);

  it("does not mistake a recycled pid for the sandbox's process", async () => {
    const runId = "run-recycled";
    await provider.create({ runId, labels: {} });
    const record = await readRecord(runId);
    // Point the record at this very test process, with a start time that is not its own.
    const forged: LocalSandboxRecord = {
      ...record,
      state: "started",
      process: { pid: process.pid, startTime: "1", startedAt: new Date().toISOString(), command: "agent" },
    };
    await writeFile(path.join(rootDir, runId, "sandbox.json"), JSON.stringify(forged));
    expect(await provider.status(runId)).toEqual({ state: "exited", exitCode: null });
    await provider.stop(runId); // must not signal our process group
    await provider.remove(runId);
    expect(existsSync(path.join(rootDir, runId))).toBe(false);
  });

  it("rejects bad ids and paths that leave the sandbox, and unknown sandboxes", async () => {
    await expect(provider.create({ runId: "../escape", labels: {} })).rejects.toThrow(/Invalid local sandbox id/);
    await provider.create({ runId: "run-paths", labels: {} });
    await expect(provider.upload("run-paths", [{ path: "../outside.txt", content: "x" }])).rejects.toThrow(/inside the sandbox/);
    await expect(provider.upload("run-paths", [{ path: "/etc/passwd", content: "x" }])).rejects.toThrow(/relative/);
    await expect(provider.start("run-nope", { command: "true", env: {} })).rejects.toThrow(/does not exist/);
    await expect(provider.upload("run-nope", [])).rejects.toThrow(/does not exist/);
    expect(await provider.status("run-nope")).toEqual({ state: "missing" });
    await provider.remove("run-paths");
  });

  it("runs a verifier in the working directory with a clean environment, capped and timed out", async () => {
    const { providerId } = await provider.create({ runId: "run-exec", labels: {} });
    await provider.upload(providerId, [{ path: "results/a.txt", content: "a" }, { path: "results/b.txt", content: "b" }]);
    process.env.PADDOCK_EXEC_PROBE = "server-secret";
    try {
      const counted = await provider.exec(providerId, 'echo "secret=${PADDOCK_EXEC_PROBE:-none}"; ls results | wc -l; exit 4', { timeoutMs: 5_000 });
      expect(counted.exitCode).toBe(4);
      expect(counted.output.trim().split("\n")).toEqual(["secret=none", "2"]);
    } finally {
      delete process.env.PADDOCK_EXEC_PROBE;
    }
    const long = await provider.exec(providerId, "yes 0123456789 | head -c 100000; echo; echo 7", { timeoutMs: 5_000 });
    expect(long.output.length).toBeLessThanOrEqual(EXEC_OUTPUT_MAX_CHARS);
    expect(long.output.trimEnd().endsWith("\n7")).toBe(true);
    const slow = await provider.exec(providerId, "echo started; sleep 30", { timeoutMs: 300 });
    expect(slow).toMatchObject({ exitCode: null, output: expect.stringMatching(/^started\n[\s\S]*killed after 300 ms/) });
    await expect(provider.exec("run-exec-missing", "true", { timeoutMs: 1_000 })).rejects.toThrow(/does not exist/);
    await provider.remove(providerId);
  });

  it("is what getProvider returns for 'local', rooted at <dataDir>/sandboxes", async () => {
    const local = getProvider("local", { dataDir: rootDir });
    expect(local.name).toBe("local");
    expect(getProvider("local", { dataDir: rootDir })).toBe(local);
    await local.create({ runId: "run-factory", labels: {} });
    expect(existsSync(path.join(rootDir, "sandboxes", "run-factory", "sandbox.json"))).toBe(true);
    await local.remove("run-factory");
  });
});
