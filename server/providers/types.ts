// The one interface every sandbox provider implements. The launch, stop, expiry and reaper
// jobs talk only to this interface; which provider a run uses is stored on the run.
//
// Every method is idempotent so a job retried after a crash can call it again safely:
// `create` with a runId that already has a sandbox returns that sandbox, `stop` and `remove`
// of something already gone succeed.

export type ProviderName = "local" | "daytona";

/** A file to place in the sandbox's working directory. */
export interface BundleFile {
  /** Relative path inside the sandbox working directory, e.g. "agent.mjs". */
  path: string;
  content: Buffer | string;
  /** Unix mode, e.g. 0o755 for scripts. */
  mode?: number;
}

export interface CreateSandboxInput {
  runId: string;
  /** Labels stored with the sandbox; always include `paddock.run=<runId>`. */
  labels: Record<string, string>;
}

export interface StartInput {
  /** Shell command run from the sandbox working directory, e.g. "node agent.mjs". */
  command: string;
  /** Environment for the command (bridge URL and token, agent config…). */
  env: Record<string, string>;
  /** Called with each line of the command's stdout/stderr, where the provider can stream it. */
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  /**
   * Called when the command exits, where the provider sees it happen (local: the child of this
   * process). A hint for prompt follow-up only: `status` is the truth, and callers must also
   * poll it (a restarted worker never hears of the exit).
   */
  onExit?: () => void;
}

export type SandboxProcessState =
  { state: "running" } | { state: "exited"; exitCode: number | null } | { state: "not_started" } | { state: "missing" };

export interface ProviderSandbox {
  providerId: string;
  labels: Record<string, string>;
}

export interface ExecOptions {
  /** The command is killed after this long; the result then has exitCode null. */
  timeoutMs: number;
}

export interface ExecResult {
  /** null when the command was killed (timeout) or its status is unknown. */
  exitCode: number | null;
  /** stdout and stderr together, at most EXEC_OUTPUT_MAX_CHARS (the end is kept). */
  output: string;
}

/** A verifier's last lines are what count (its last number printed), so a long output keeps its end. */
export const EXEC_OUTPUT_MAX_CHARS = 16_384;

export function capExecOutput(output: string): string {
  return output.length <= EXEC_OUTPUT_MAX_CHARS ? output : `…${output.slice(output.length - EXEC_OUTPUT_MAX_CHARS + 1)}`;
}

export interface SandboxProvider {
  readonly name: ProviderName;
  create(input: CreateSandboxInput): Promise<ProviderSandbox>;
  upload(providerId: string, files: BundleFile[]): Promise<void>;
  start(providerId: string, input: StartInput): Promise<void>;
  status(providerId: string): Promise<SandboxProcessState>;
  /**
   * Runs a short command to completion in the sandbox's working directory (a run's verifier),
   * beside the agent's command, with a minimal environment (no bridge token, no secrets).
   */
  exec(providerId: string, command: string, options: ExecOptions): Promise<ExecResult>;
  /** Stops the running command (the whole process group for `local`). */
  stop(providerId: string): Promise<void>;
  /** Stops and deletes the sandbox and its files. */
  remove(providerId: string): Promise<void>;
  /** Sandboxes carrying all the given labels. */
  list(labels: Record<string, string>): Promise<ProviderSandbox[]>;
}

export const RUN_LABEL = "paddock.run";
export const PADDOCK_LABEL = "paddock";
