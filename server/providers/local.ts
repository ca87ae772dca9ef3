// The `local` provider: each sandbox is a directory on this machine and its command a detached
// process group. Meant for development, tests and the reference agent.
//
// NOT A SECURITY BOUNDARY. The command runs as the server's user with full access to the
// machine and network; only the environment is trimmed (so server secrets are not inherited).
// Run untrusted agents on the `daytona` provider.
//
// Everything a later call needs is on disk, so any process can pick up where another left off
// (a worker SIGKILLed mid-launch and restarted finds, checks and stops its sandboxes):
//
//   <rootDir>/<runId>/sandbox.json   labels, state, and the command's pid + start time
//   <rootDir>/<runId>/work/          working directory: uploaded files, the command's cwd
//   <rootDir>/<runId>/stdout.log     the command's output, appended by the command itself
//   <rootDir>/<runId>/stderr.log
//   <rootDir>/<runId>/exit-code      written by the wrapper shell when the command exits
//
// Files the agent writes live in work/, apart from the bookkeeping, so it cannot clobber it.
import { spawn } from "node:child_process";
import { closeSync, openSync, renameSync, writeFileSync } from "node:fs";
import { chmod, link, mkdir, readFile, readdir, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { normalizeBundlePath } from "./bundle-path";
import { fileSize, startLogTail, type LogTail } from "./local-log-tail";
import { identifyProcess, isProcessAlive, killProcessGroup, type ProcessIdentity } from "./local-process";
import {
  PADDOCK_LABEL,
  RUN_LABEL,
  capExecOutput,
  type BundleFile,
  type ExecOptions,
  type ExecResult,
  type CreateSandboxInput,
  type ProviderSandbox,
  type SandboxProcessState,
  type SandboxProvider,
  type StartInput,
} from "./types";

export interface LocalProviderOptions {
  /** Directory holding one subdirectory per sandbox, e.g. `.data/sandboxes`. */
  rootDir: string;
  /** Time between SIGTERM and SIGKILL when stopping. */
  stopGraceMs?: number;
  /** How often output files are polled for `onOutput`. */
  outputPollMs?: number;
}

/** The content of sandbox.json. */
export interface LocalSandboxRecord {
  providerId: string;
  labels: Record<string, string>;
  createdAt: string;
  /** What was last asked of the sandbox; whether the command still runs is read from the OS. */
  state: "created" | "started" | "stopped";
  process?: ProcessIdentity & { startedAt: string; command: string };
  stoppedAt?: string;
}

const RECORD_FILE = "sandbox.json";
const WORK_DIR = "work";
const STDOUT_FILE = "stdout.log";
const STDERR_FILE = "stderr.log";
const EXIT_FILE = "exit-code";

// Runs the command in a child shell, then records its exit status atomically (tmp + rename).
// If the group is killed the wrapper dies too and no file is written: exit code unknown (null).
// Arguments: $1 the command, $2 the exit-code file.
const WRAPPER = 'sh -c "$1"; code=$?; printf "%s\\n" "$code" > "$2.tmp" && mv -f "$2.tmp" "$2"; exit "$code"';

const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function createLocalProvider(options: LocalProviderOptions): SandboxProvider {
  const rootDir = path.resolve(options.rootDir);
  const stopGraceMs = options.stopGraceMs ?? 3_000;
  const outputPollMs = options.outputPollMs ?? 100;
  const tails = new Map<string, LogTail>();
  const locks = new Map<string, Promise<unknown>>();

  const sandboxDir = (providerId: string) => {
    if (!PROVIDER_ID.test(providerId)) {
      throw new Error(
        `Invalid local sandbox id "${providerId}": use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    }
    return path.join(rootDir, providerId);
  };
  const fileOf = (providerId: string, name: string) => path.join(sandboxDir(providerId), name);

  // Serializes start/stop/remove of one sandbox within this process, so two concurrent starts
  // cannot both spawn. Across processes the job queue already runs one job per run at a time.
  function withLock<T>(providerId: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(providerId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    locks.set(providerId, next);
    void next
      .finally(() => {
        if (locks.get(providerId) === next) locks.delete(providerId);
      })
      .catch(() => undefined);
    return next;
  }

  async function readRecord(providerId: string): Promise<LocalSandboxRecord | null> {
    const file = fileOf(providerId, RECORD_FILE);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    try {
      return JSON.parse(text) as LocalSandboxRecord;
    } catch (err) {
      throw new Error(`Local sandbox record ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }

  async function requireRecord(providerId: string, action: string): Promise<LocalSandboxRecord> {
    const record = await readRecord(providerId);
    if (!record) {
      throw new Error(`Cannot ${action} local sandbox "${providerId}": it does not exist (create it first)`);
    }
    return record;
  }

  // Written synchronously and renamed into place: readers in other processes never see half a
  // file, and the pid is on disk before anything else can interrupt a start.
  function writeRecord(record: LocalSandboxRecord): void {
    const file = fileOf(record.providerId, RECORD_FILE);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, JSON.stringify(record, null, 2));
    renameSync(tmp, file);
  }

  async function readExitCode(providerId: string): Promise<number | null> {
    try {
      const code = Number.parseInt(await readFile(fileOf(providerId, EXIT_FILE), "utf8"), 10);
      return Number.isInteger(code) ? code : null;
    } catch {
      return null;
    }
  }

  function followOutput(
    providerId: string,
    identity: ProcessIdentity,
    onOutput: NonNullable<StartInput["onOutput"]>,
    offsets: { stdout: number; stderr: number },
  ): void {
    const tail = startLogTail({
      files: [
        { path: fileOf(providerId, STDOUT_FILE), stream: "stdout", offset: offsets.stdout },
        { path: fileOf(providerId, STDERR_FILE), stream: "stderr", offset: offsets.stderr },
      ],
      onOutput,
      isFinished: () => !isProcessAlive(identity),
      onStopped: () => {
        if (tails.get(providerId) === tail) tails.delete(providerId);
      },
      pollMs: outputPollMs,
    });
    tails.set(providerId, tail);
  }

  /** Spawns the wrapped command and returns its identity, read before anything can reap it. */
  async function spawnCommand(providerId: string, input: StartInput): Promise<ProcessIdentity> {
    const dir = sandboxDir(providerId);
    const workDir = path.join(dir, WORK_DIR);
    const env: Record<string, string> = {
      // The only value inherited from the server is PATH, to find `node` and friends: database
      // URLs and API keys never reach an agent, and HOME and TMPDIR point into the sandbox so
      // the server's dotfiles (.pgpass, .npmrc …) are not the agent's.
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: workDir,
      TMPDIR: workDir,
      ...input.env,
    };
    const stdout = openSync(path.join(dir, STDOUT_FILE), "a");
    const stderr = openSync(path.join(dir, STDERR_FILE), "a");
    let child;
    try {
      child = spawn("sh", ["-c", WRAPPER, "paddock-sandbox", input.command, path.join(dir, EXIT_FILE)], {
        cwd: workDir,
        env,
        // Own process group (and session): stop() can signal the command and everything it
        // spawned at once, and the command survives the death of this worker.
        detached: true,
        stdio: ["ignore", stdout, stderr],
      });
    } finally {
      closeSync(stdout); // the child holds its own copies
      closeSync(stderr);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const [err] = (await once(child, "error")) as [Error];
      throw new Error(`Could not start the command of local sandbox "${providerId}": ${err.message}`, { cause: err });
    }
    child.on("error", () => undefined); // nothing to report once spawned; status reads the OS
    if (input.onExit) child.once("exit", input.onExit);
    child.unref();
    // Synchronous, before the event loop can reap a command that exits at once.
    const identity = identifyProcess(pid);
    if (!identity) {
      // Without its start time the process could never be recognized, hence never stopped.
      process.kill(-pid, "SIGKILL");
      throw new Error(`Could not read the start time of pid ${pid} for local sandbox "${providerId}"; killed it`);
    }
    return identity;
  }

  const provider: SandboxProvider = {
    name: "local",

    async create(input: CreateSandboxInput): Promise<ProviderSandbox> {
      const providerId = input.runId;
      const existing = await readRecord(providerId);
      if (existing) return { providerId, labels: existing.labels };

      await mkdir(fileOf(providerId, WORK_DIR), { recursive: true });
      const record: LocalSandboxRecord = {
        providerId,
        labels: { ...input.labels, [RUN_LABEL]: input.runId, [PADDOCK_LABEL]: "1" },
        createdAt: new Date().toISOString(),
        state: "created",
      };
      // link() fails if the record exists, so of two racing creates exactly one record wins.
      const file = fileOf(providerId, RECORD_FILE);
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(tmp, JSON.stringify(record, null, 2));
      try {
        await link(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      } finally {
        await unlink(tmp);
      }
      const winner = await requireRecord(providerId, "create");
      return { providerId, labels: winner.labels };
    },

    async upload(providerId: string, files: BundleFile[]): Promise<void> {
      await requireRecord(providerId, "upload files to");
      const workDir = fileOf(providerId, WORK_DIR);
      for (const file of files) {
        const target = path.join(workDir, normalizeBundlePath(file.path));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.content);
        // writeFile's mode only applies to new files and is masked by the umask; chmod is exact.
        if (file.mode !== undefined) await chmod(target, file.mode);
      }
    },

    start(providerId: string, input: StartInput): Promise<void> {
      return withLock(providerId, async () => {
        const record = await requireRecord(providerId, "start a command in");
        if (record.process) {
          // Already started (running or finished): starting again would run the agent twice.
          // A worker that restarted can still re-attach to the output from here on.
          if (input.onOutput && !tails.has(providerId) && isProcessAlive(record.process)) {
            followOutput(providerId, record.process, input.onOutput, {
              stdout: fileSize(fileOf(providerId, STDOUT_FILE)),
              stderr: fileSize(fileOf(providerId, STDERR_FILE)),
            });
          }
          return;
        }
        await rm(fileOf(providerId, EXIT_FILE), { force: true });
        const offsets = {
          stdout: fileSize(fileOf(providerId, STDOUT_FILE)),
          stderr: fileSize(fileOf(providerId, STDERR_FILE)),
        };
        const identity = await spawnCommand(providerId, input);
        writeRecord({
          ...record,
          state: "started",
          process: { ...identity, startedAt: new Date().toISOString(), command: input.command },
        });
        if (input.onOutput) followOutput(providerId, identity, input.onOutput, offsets);
      });
    },

    async status(providerId: string): Promise<SandboxProcessState> {
      const record = await readRecord(providerId);
      if (!record) return { state: "missing" };
      if (!record.process) return { state: "not_started" };
      if (isProcessAlive(record.process)) return { state: "running" };
      return { state: "exited", exitCode: await readExitCode(providerId) };
    },

    async exec(providerId: string, command: string, options: ExecOptions): Promise<ExecResult> {
      await requireRecord(providerId, "run a command in");
      const workDir = fileOf(providerId, WORK_DIR);
      const child = spawn("sh", ["-c", command], {
        cwd: workDir,
        // Clean and minimal: the agent's bridge token and the server's secrets stay out.
        env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: workDir, LANG: "C.UTF-8" },
        detached: true, // its own process group, so a timeout kills what it spawned too
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      const collect = (chunk: Buffer) => {
        output = capExecOutput(output + chunk.toString("utf8"));
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, options.timeoutMs);
      try {
        const exitCode = await new Promise<number | null>((resolve, reject) => {
          child.once("error", reject);
          child.once("close", (code) => resolve(code));
        });
        if (timedOut) return { exitCode: null, output: capExecOutput(`${output}\n[killed after ${options.timeoutMs} ms]`) };
        return { exitCode, output };
      } finally {
        clearTimeout(timer);
      }
    },

    stop(providerId: string): Promise<void> {
      return withLock(providerId, async () => {
        const record = await readRecord(providerId);
        if (!record?.process) return;
        await killProcessGroup(record.process, stopGraceMs);
        tails.get(providerId)?.stop();
        if (record.state !== "stopped") {
          writeRecord({ ...record, state: "stopped", stoppedAt: new Date().toISOString() });
        }
      });
    },

    async remove(providerId: string): Promise<void> {
      await provider.stop(providerId);
      await withLock(providerId, () => rm(sandboxDir(providerId), { recursive: true, force: true }));
    },

    async list(labels: Record<string, string>): Promise<ProviderSandbox[]> {
      let entries;
      try {
        entries = await readdir(rootDir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      const found: ProviderSandbox[] = [];
      for (const entry of entries) {
        if (!entry.isDirectory() || !PROVIDER_ID.test(entry.name)) continue;
        const record = await readRecord(entry.name);
        if (!record) continue; // being created or removed right now
        if (Object.entries(labels).every(([key, value]) => record.labels[key] === value)) {
          found.push({ providerId: record.providerId, labels: record.labels });
        }
      }
      return found;
    },
  };
  return provider;
}
