// What only the local provider does, against real child processes: its bookkeeping on disk, a
// second OS process standing in for a worker that was SIGKILLed, pid reuse, and its id rules.
// What every provider promises is in provider-contract.test.ts.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getProvider } from "./index";
import { createLocalProvider, type LocalSandboxRecord } from "./local";
import { isProcessAlive } from "./local-process";
import { RUN_LABEL, type SandboxProvider } from "./types";

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

const WAIT = { timeout: 30_000, interval: 50 };

const readRecord = async (runId: string) =>
  JSON.parse(await readFile(path.join(rootDir, runId, "sandbox.json"), "utf8")) as LocalSandboxRecord;

describe("local provider", () => {
  it("keeps the sandbox on disk: its record, the command's identity and its output", async () => {
    const runId = "run-disk";
    const created = await provider.create({ runId, labels: { owner: "u1" } });
    expect(created).toEqual({ providerId: runId, labels: { owner: "u1", [RUN_LABEL]: runId, paddock: "1" } });
    expect((await readRecord(runId)).state).toBe("created");

    await provider.start(runId, { command: "echo hello; while true; do sleep 1; done", env: {} });
    const { process: started, state } = await readRecord(runId);
    expect(state).toBe("started");
    expect(started!.command).toBe("echo hello; while true; do sleep 1; done");
    expect(isProcessAlive(started!)).toBe(true);
    await vi.waitFor(() => expect(readFileSync(path.join(rootDir, runId, "stdout.log"), "utf8")).toBe("hello\n"), WAIT);

    await provider.stop(runId);
    expect(isProcessAlive(started!)).toBe(false);
    expect(await readRecord(runId)).toMatchObject({ state: "stopped", process: started });
    await provider.remove(runId);
    expect(existsSync(path.join(rootDir, runId))).toBe(false);
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
    await vi.waitFor(async () => expect(await provider.status(runId)).toEqual({ state: "exited", exitCode: 7 }), WAIT);
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

  it("rejects run ids that would leave its root directory", async () => {
    await expect(provider.create({ runId: "../escape", labels: {} })).rejects.toThrow(/Invalid local sandbox id/);
    expect(existsSync(path.join(rootDir, "..", "escape"))).toBe(false);
  });

  it("says in a verifier's output that it was killed by its timeout", async () => {
    const { providerId } = await provider.create({ runId: "run-exec", labels: {} });
    const slow = await provider.exec(providerId, "echo started; sleep 30", { timeoutMs: 300 });
    expect(slow).toEqual({ exitCode: null, output: "started\n\n[killed after 300 ms]" });
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
