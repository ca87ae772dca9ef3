// The `daytona` provider: one Daytona sandbox per run, driven through `@daytonaio/sdk`.
//
// State lives in Daytona, never in this process, so any worker can continue another's work:
// - the sandbox is named `paddock-<runId>`, so `create` finds an earlier attempt by name (a
//   consistent read; the list endpoint is documented as eventually consistent);
// - the command runs in a session with a fixed id (`paddock-agent`); its exit code comes
//   from that session, and the command id is also stored as the label `paddock.command`, which
//   still says "it was started" once the sandbox is stopped and its sessions are gone.
import { Daytona, DaytonaConflictError, DaytonaError, DaytonaNotFoundError, type Sandbox } from "@daytonaio/sdk";
import { normalizeBundlePath } from "./bundle-path";
import { LineSplitter } from "./line-splitter";
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

export interface DaytonaProviderOptions {
  apiKey: string;
  /** Defaults to Daytona's hosted API. */
  apiUrl?: string;
  target?: string;
}

export interface DaytonaSandboxProvider extends SandboxProvider {
  /** Closes the SDK's event connection. Sandboxes keep running. */
  close(): Promise<void>;
}

export const DAYTONA_DEFAULT_API_URL = "https://app.daytona.io/api";
export const DAYTONA_SESSION_ID = "paddock-agent";
export const DAYTONA_COMMAND_LABEL = "paddock.command";
/** Control files next to the bundle: the environment (secrets, mode 0600) and the command. */
const CONTROL_DIR = ".paddock";

const GONE_STATES = new Set(["destroyed", "destroying"]);
const FAILED_STATES = new Set(["error", "build_failed"]);
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function createDaytonaProvider(options: DaytonaProviderOptions): DaytonaSandboxProvider {
  // An explicit apiUrl also stops the SDK from resolving the endpoint from the environment.
  const client = new Daytona({
    apiKey: options.apiKey,
    apiUrl: options.apiUrl ?? DAYTONA_DEFAULT_API_URL,
    target: options.target,
  });

  /** The sandbox, or null if Daytona does not know it. */
  async function find(idOrName: string): Promise<Sandbox | null> {
    try {
      return await client.get(idOrName);
    } catch (err) {
      if (err instanceof DaytonaNotFoundError) return null;
      throw failure(`look up sandbox "${idOrName}"`, err);
    }
  }

  async function findLive(idOrName: string): Promise<Sandbox | null> {
    const sandbox = await find(idOrName);
    return sandbox && !GONE_STATES.has(sandbox.state ?? "") ? sandbox : null;
  }

  async function requireLive(providerId: string, action: string): Promise<Sandbox> {
    const sandbox = await findLive(providerId);
    if (!sandbox) throw new Error(`Cannot ${action} Daytona sandbox "${providerId}": it does not exist`);
    return sandbox;
  }

  /** Waits for a sandbox still starting, and starts one Daytona stopped (e.g. after a crash). */
  async function ensureStarted(sandbox: Sandbox, action: string): Promise<void> {
    try {
      if (sandbox.state === "stopped") await sandbox.start();
      else if (sandbox.state !== "started") await sandbox.waitUntilStarted();
    } catch (err) {
      throw failure(`start sandbox "${sandbox.id}" (state ${sandbox.state}) to ${action} it`, err);
    }
  }

  async function findSession(sandbox: Sandbox) {
    try {
      return await sandbox.process.getSession(DAYTONA_SESSION_ID);
    } catch (err) {
      if (err instanceof DaytonaNotFoundError) return null;
      throw failure(`read session ${DAYTONA_SESSION_ID} of sandbox "${sandbox.id}"`, err);
    }
  }

  return {
    name: "daytona",

    async create(input: CreateSandboxInput): Promise<ProviderSandbox> {
      if (!RUN_ID.test(input.runId)) {
        throw new Error(`Invalid run id "${input.runId}" for a Daytona sandbox name: use letters, digits, '.', '_' or '-'`);
      }
      const name = `paddock-${input.runId}`;
      const existing = await findLive(name);
      if (existing && !FAILED_STATES.has(existing.state ?? "")) return toProviderSandbox(existing);
      if (existing) {
        // A failed earlier attempt still holds the name; replace it rather than hand it out.
        await existing.delete(60, true).catch((err: unknown) => {
          throw failure(`delete failed sandbox "${existing.id}" (state ${existing.state}) of run ${input.runId}`, err);
        });
      }
      try {
        const sandbox = await client.create({
          name,
          labels: { ...input.labels, [RUN_LABEL]: input.runId, [PADDOCK_LABEL]: "1" },
          // Paddock enforces duration and idle limits itself; Daytona's inactivity timer counts
          // API calls, not a busy agent, and would stop a run in the middle.
          autoStopInterval: 0,
        });
        return toProviderSandbox(sandbox);
      } catch (err) {
        if (err instanceof DaytonaConflictError) {
          const winner = await findLive(name); // a concurrent create got there first
          if (winner) return toProviderSandbox(winner);
        }
        throw failure(`create a sandbox for run ${input.runId}`, err);
      }
    },

    async upload(providerId: string, files: BundleFile[]): Promise<void> {
      const checked = files.map((f) => ({ ...f, path: normalizeBundlePath(f.path) }));
      if (checked.length === 0) return;
      const sandbox = await requireLive(providerId, "upload files to");
      await ensureStarted(sandbox, "upload files to");
      await uploadFiles(sandbox, checked);
    },

    async start(providerId: string, input: StartInput): Promise<void> {
      const envLines = Object.entries(input.env).map(([key, value]) => {
        if (!ENV_NAME.test(key)) throw new Error(`Invalid environment variable name "${key}" for sandbox "${providerId}"`);
        return `export ${key}=${shellQuote(value)}\n`;
      });
      const sandbox = await requireLive(providerId, "start a command in");
      // Already started (running, finished or stopped): starting again would run the agent twice.
      // Checked before starting the sandbox, whose sessions are gone once it was stopped. Output
      // is not re-attached: Daytona replays a command's log from the start, duplicating lines.
      if (sandbox.labels?.[DAYTONA_COMMAND_LABEL]) return;
      await ensureStarted(sandbox, "start a command in");
      const session = await findSession(sandbox);
      if (session && session.commands.length > 0) return; // started, but the label was not written

      const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (err) {
          throw failure(`${what} in sandbox "${providerId}"`, err);
        }
      };
      if (!session) {
        await step("create session", async () => {
          try {
            await sandbox.process.createSession(DAYTONA_SESSION_ID);
          } catch (err) {
            if (!(err instanceof DaytonaConflictError)) throw err;
          }
        });
      }
      const workDir = await step("read the working directory", () => sandbox.getWorkDir());
      if (!workDir) throw new Error(`Daytona sandbox "${providerId}" reported no working directory`);
      // Secrets go in a 0600 file rather than the command line, which Daytona lists with the session.
      await uploadFiles(sandbox, [
        { path: `${CONTROL_DIR}/env`, content: envLines.join(""), mode: 0o600 },
        { path: `${CONTROL_DIR}/command`, content: `${input.command}\n`, mode: 0o600 },
      ]);
      const launcher = `cd ${shellQuote(workDir)} && ` + `sh -c '. ./${CONTROL_DIR}/env && exec sh ./${CONTROL_DIR}/command'`;
      const { cmdId } = await step("run the command", () =>
        sandbox.process.executeSessionCommand(DAYTONA_SESSION_ID, { command: launcher, runAsync: true }),
      );
      await step("label the sandbox with its command", () => sandbox.setLabels({ ...sandbox.labels, [DAYTONA_COMMAND_LABEL]: cmdId }));
      if (input.onOutput) streamOutput(sandbox, cmdId, input.onOutput);
    },

    async status(providerId: string): Promise<SandboxProcessState> {
      const sandbox = await findLive(providerId);
      if (!sandbox) return { state: "missing" };
      const launched = Boolean(sandbox.labels?.[DAYTONA_COMMAND_LABEL]);
      // A stopped sandbox has no processes and no sessions to ask.
      if (sandbox.state !== "started") return launched ? { state: "exited", exitCode: null } : { state: "not_started" };
      const command = (await findSession(sandbox))?.commands[0];
      if (!command) return launched ? { state: "exited", exitCode: null } : { state: "not_started" };
      return command.exitCode === undefined || command.exitCode === null
        ? { state: "running" }
        : { state: "exited", exitCode: command.exitCode };
    },

    async exec(providerId: string, command: string, options: ExecOptions): Promise<ExecResult> {
      const sandbox = await requireLive(providerId, "run a command in");
      await ensureStarted(sandbox, "run a command in");
      // Outside the agent's session, so its environment file (bridge token) is not sourced; the
      // toolbox runs it from the sandbox's working directory, where the agent's files are. Daytona
      // ends the command when the timeout (whole seconds) elapses.
      try {
        const response = await sandbox.process.executeCommand(
          `sh -c ${shellQuote(`exec 2>&1\n${command}`)}`,
          undefined,
          undefined,
          Math.max(1, Math.ceil(options.timeoutMs / 1000)),
        );
        return { exitCode: response.exitCode ?? null, output: capExecOutput(response.result ?? "") };
      } catch (err) {
        throw failure(`run a command in sandbox "${providerId}"`, err);
      }
    },

    async stop(providerId: string): Promise<void> {
      const sandbox = await findLive(providerId);
      if (!sandbox) return;
      try {
        if (sandbox.state === "started") {
          // Ends the command at once; stopping the sandbox below also ends anything it spawned,
          // as the local provider does by killing the process group.
          await sandbox.process.deleteSession(DAYTONA_SESSION_ID).catch((err: unknown) => {
            if (!(err instanceof DaytonaNotFoundError)) throw err;
          });
          await sandbox.stop();
        } else if (sandbox.state === "stopping") {
          await sandbox.waitUntilStopped();
        }
      } catch (err) {
        if (err instanceof DaytonaNotFoundError) return; // deleted meanwhile
        throw failure(`stop sandbox "${providerId}"`, err);
      }
    },

    async remove(providerId: string): Promise<void> {
      const sandbox = await findLive(providerId);
      if (!sandbox) return;
      try {
        await sandbox.delete();
      } catch (err) {
        if (err instanceof DaytonaNotFoundError) return;
        throw failure(`delete sandbox "${providerId}"`, err);
      }
    },

    async list(labels: Record<string, string>): Promise<ProviderSandbox[]> {
      const found: ProviderSandbox[] = [];
      try {
        for await (const sandbox of client.list({ labels })) {
          if (GONE_STATES.has(sandbox.state ?? "")) continue;
          // The API filters by label already; checking again costs nothing and guards the reaper.
          if (Object.entries(labels).every(([k, v]) => sandbox.labels?.[k] === v)) found.push(toProviderSandbox(sandbox));
        }
      } catch (err) {
        throw failure(`list sandboxes labelled ${JSON.stringify(labels)}`, err);
      }
      return found;
    },

    async close(): Promise<void> {
      await client[Symbol.asyncDispose]();
    },
  };
}

async function uploadFiles(sandbox: Sandbox, files: BundleFile[]): Promise<void> {
  try {
    await sandbox.fs.uploadFiles(
      files.map((f) => ({ source: typeof f.content === "string" ? Buffer.from(f.content) : f.content, destination: f.path })),
    );
    for (const f of files) {
      if (f.mode !== undefined) await sandbox.fs.setFilePermissions(f.path, { mode: f.mode.toString(8).padStart(3, "0") });
    }
  } catch (err) {
    throw failure(`upload ${files.map((f) => f.path).join(", ")} to sandbox "${sandbox.id}"`, err);
  }
}

/**
 * Follows the command's output over the toolbox WebSocket. Best effort: if the stream breaks, the
 * agent keeps running and its output stays in Daytona's session log.
 */
function streamOutput(sandbox: Sandbox, cmdId: string, onOutput: NonNullable<StartInput["onOutput"]>): void {
  const stdout = new LineSplitter((line) => onOutput(line, "stdout"));
  const stderr = new LineSplitter((line) => onOutput(line, "stderr"));
  const flush = () => {
    stdout.flush();
    stderr.flush();
  };
  sandbox.process
    .getSessionCommandLogs(
      DAYTONA_SESSION_ID,
      cmdId,
      (chunk) => stdout.push(chunk),
      (chunk) => stderr.push(chunk),
    )
    .then(flush, flush);
}

function toProviderSandbox(sandbox: Sandbox): ProviderSandbox {
  return { providerId: sandbox.id, labels: { ...sandbox.labels } };
}

/** Single-quotes `value` for sh. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Wraps an SDK error so the message says what Paddock was doing; the SDK error stays as `cause`. */
function failure(action: string, err: unknown): Error {
  const detail = err instanceof Error ? err.message : String(err);
  const status = err instanceof DaytonaError && err.statusCode ? ` (HTTP ${err.statusCode})` : "";
  return new Error(`Daytona: could not ${action}${status}: ${detail}`, { cause: err });
}
