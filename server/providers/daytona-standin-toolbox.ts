// The toolbox half of the Daytona stand-in: what Daytona's in-sandbox daemon answers behind the
// toolbox proxy (files, working directory, sessions and their commands, command logs). Commands
// really run, as local processes in the sandbox's directory.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { constants as osConstants } from "node:os";
import path from "node:path";
import type { ServerWebSocket } from "./daytona-standin-ws";

type OutputChunk = { stream: "stdout" | "stderr"; data: Buffer };

export interface StandinCommand {
  id: string;
  command: string;
  exitCode?: number;
  output: OutputChunk[];
  outputEnded: boolean;
  child?: ChildProcess;
  /** Called with each new output chunk, and with null once output has ended. */
  watchers: Set<(chunk: OutputChunk | null) => void>;
}

export interface StandinSandbox {
  id: string;
  name: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  target: string;
  /** A Daytona sandbox state; tests may set "error" to simulate a broken sandbox. */
  state: string;
  /** The sandbox's working directory on this machine. */
  dir: string;
  createdAt: string;
  updatedAt: string;
  sessions: Map<string, { id: string; commands: StandinCommand[] }>;
}

/** Fault injection: the next N calls of each kind answer HTTP 500. */
export interface ToolboxFaults {
  failNextUploads: number;
  failNextExecs: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RouteContext {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  body: Buffer;
  /** The addressed sandbox; set for toolbox routes only. */
  sandbox: StandinSandbox;
}

export interface Route {
  method: string;
  pattern: RegExp;
  status?: number;
  handle: (ctx: RouteContext) => unknown;
}

/** Kills the process groups of running commands, in one session or all of them. */
export function killCommands(sandbox: StandinSandbox, sessionId?: string): void {
  for (const [id, session] of sandbox.sessions) {
    if (sessionId !== undefined && id !== sessionId) continue;
    for (const command of session.commands) {
      if (!command.child?.pid || command.exitCode !== undefined) continue;
      try {
        process.kill(-command.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

export function findCommand(sandbox: StandinSandbox, sessionId: string, commandId: string): StandinCommand {
  const command = requireSession(sandbox, sessionId).commands.find((c) => c.id === commandId);
  if (!command) throw new HttpError(404, `command ${commandId} not found in session ${sessionId}`);
  return command;
}

/**
 * Streams a command's log like the daemon: each chunk prefixed with 0x01×3 (stdout) or 0x02×3
 * (stderr), everything so far first, then, with `follow`, live output until the output ends.
 */
export function streamCommandLog(ws: ServerWebSocket, command: StandinCommand, follow: boolean): void {
  const prefixes = { stdout: Buffer.from([1, 1, 1]), stderr: Buffer.from([2, 2, 2]) };
  const send = (chunk: OutputChunk) => ws.sendBinary(Buffer.concat([prefixes[chunk.stream], chunk.data]));
  for (const chunk of command.output) send(chunk);
  if (command.outputEnded || !follow) {
    ws.close();
    return;
  }
  const watcher = (chunk: OutputChunk | null) => (chunk ? send(chunk) : ws.close());
  command.watchers.add(watcher);
  ws.onClose(() => command.watchers.delete(watcher));
}

function requireSession(sandbox: StandinSandbox, sessionId: string) {
  const session = sandbox.sessions.get(sessionId);
  if (!session) throw new HttpError(404, `session ${sessionId} not found`);
  return session;
}

function resolveInSandbox(sandbox: StandinSandbox, p: string): string {
  const resolved = path.resolve(sandbox.dir, p);
  if (resolved !== sandbox.dir && !resolved.startsWith(sandbox.dir + path.sep)) {
    throw new HttpError(400, `path ${p} is outside the sandbox`);
  }
  return resolved;
}

function runCommand(sandbox: StandinSandbox, text: string): StandinCommand {
  const command: StandinCommand = { id: randomUUID(), command: text, output: [], outputEnded: false, watchers: new Set() };
  const emit = (chunk: OutputChunk | null) => {
    if (chunk) command.output.push(chunk);
    else command.outputEnded = true;
    for (const watcher of command.watchers) watcher(chunk);
  };
  const child = spawn("sh", ["-c", text], {
    cwd: sandbox.dir,
    env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: sandbox.dir, ...sandbox.env },
    detached: true, // its own process group, so deleting the session kills what it spawned
    stdio: ["ignore", "pipe", "pipe"],
  });
  command.child = child;
  child.stdout?.on("data", (data: Buffer) => emit({ stream: "stdout", data }));
  child.stderr?.on("data", (data: Buffer) => emit({ stream: "stderr", data }));
  child.on("exit", (code, signal) => {
    command.exitCode = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
  });
  child.on("close", () => emit(null));
  child.on("error", (err) => {
    command.exitCode = 127;
    emit({ stream: "stderr", data: Buffer.from(`${err.message}\n`) });
    emit(null);
  });
  return command;
}

/** `POST /process/execute`: runs a command to completion outside any session; stdout is the result. */
async function executeCommand(sandbox: StandinSandbox, request: { command: string; cwd?: string; timeout?: number }) {
  const child = spawn("sh", ["-c", request.command], {
    cwd: request.cwd ? resolveInSandbox(sandbox, request.cwd) : sandbox.dir,
    env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: sandbox.dir, ...sandbox.env },
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const chunks: Buffer[] = [];
  child.stdout?.on("data", (data: Buffer) => chunks.push(data));
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
    (request.timeout ?? 10) * 1000,
  );
  const exitCode = await new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? -1));
  });
  clearTimeout(timer);
  return { exitCode: timedOut ? -1 : exitCode, result: Buffer.concat(chunks).toString("utf8") };
}

const commandDto = (c: StandinCommand) => ({ id: c.id, command: c.command, exitCode: c.exitCode });
const joinOutput = (c: StandinCommand, stream?: "stdout" | "stderr") =>
  Buffer.concat(c.output.filter((o) => !stream || o.stream === stream).map((o) => o.data)).toString("utf8");
const logsDto = (c: StandinCommand) => ({ output: joinOutput(c), stdout: joinOutput(c, "stdout"), stderr: joinOutput(c, "stderr") });

/** Routes relative to `/toolbox/<sandboxId>`. */
export function createToolboxRoutes(faults: ToolboxFaults): Route[] {
  return [
    { method: "GET", pattern: /^\/work-dir$/, handle: ({ sandbox }) => ({ dir: sandbox.dir }) },
    {
      method: "POST",
      pattern: /^\/process\/execute$/,
      handle: ({ body, sandbox }) =>
        executeCommand(sandbox, JSON.parse(body.toString("utf8")) as { command: string; cwd?: string; timeout?: number }),
    },
    {
      method: "POST",
      pattern: /^\/files\/bulk-upload$/,
      handle: async ({ req, body, sandbox }) => {
        if (faults.failNextUploads > 0) {
          faults.failNextUploads--;
          throw new HttpError(500, "Injected failure: file upload");
        }
        const contentType = req.headers["content-type"] ?? "";
        const form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
        // The SDK sends files[i].path and files[i].file pairs.
        const files = new Map<string, { path?: string; file?: Blob }>();
        for (const [key, value] of form) {
          const match = /^files\[(\d+)\]\.(path|file)$/.exec(key);
          if (!match) continue;
          const entry = files.get(match[1]!) ?? {};
          if (match[2] === "path" && typeof value === "string") entry.path = value;
          if (match[2] === "file" && typeof value !== "string") entry.file = value;
          files.set(match[1]!, entry);
        }
        for (const { path: p, file } of files.values()) {
          if (!p || !file) throw new HttpError(400, "each upload needs files[i].path and files[i].file");
          const target = resolveInSandbox(sandbox, p);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, Buffer.from(await file.arrayBuffer()));
        }
      },
    },
    {
      method: "POST",
      pattern: /^\/files\/permissions$/,
      handle: async ({ query, sandbox }) => {
        const mode = query.get("mode");
        if (mode !== null) await chmod(resolveInSandbox(sandbox, query.get("path") ?? ""), Number.parseInt(mode, 8));
      },
    },
    {
      method: "POST",
      pattern: /^\/process\/session$/,
      status: 201,
      handle: ({ body, sandbox }) => {
        const { sessionId } = JSON.parse(body.toString("utf8")) as { sessionId: string };
        if (sandbox.sessions.has(sessionId)) throw new HttpError(409, `session ${sessionId} already exists`);
        sandbox.sessions.set(sessionId, { id: sessionId, commands: [] });
      },
    },
    {
      method: "GET",
      pattern: /^\/process\/session\/([^/]+)$/,
      handle: ({ params, sandbox }) => {
        const session = requireSession(sandbox, params[0]!);
        return { sessionId: session.id, commands: session.commands.map(commandDto) };
      },
    },
    {
      method: "DELETE",
      pattern: /^\/process\/session\/([^/]+)$/,
      status: 204,
      handle: ({ params, sandbox }) => {
        requireSession(sandbox, params[0]!);
        killCommands(sandbox, params[0]);
        sandbox.sessions.delete(params[0]!);
      },
    },
    {
      method: "POST",
      pattern: /^\/process\/session\/([^/]+)\/exec$/,
      handle: async ({ params, body, sandbox }) => {
        const session = requireSession(sandbox, params[0]!);
        if (faults.failNextExecs > 0) {
          faults.failNextExecs--;
          throw new HttpError(500, "Injected failure: session command");
        }
        const request = JSON.parse(body.toString("utf8")) as { command: string; runAsync?: boolean; async?: boolean };
        const command = runCommand(sandbox, request.command);
        session.commands.push(command);
        if (request.runAsync || request.async) return { cmdId: command.id };
        if (!command.outputEnded) {
          await new Promise<void>((resolve) => command.watchers.add((chunk) => chunk === null && resolve()));
        }
        return { cmdId: command.id, exitCode: command.exitCode, ...logsDto(command) };
      },
    },
    {
      method: "GET",
      pattern: /^\/process\/session\/([^/]+)\/command\/([^/]+)$/,
      handle: ({ params, sandbox }) => commandDto(findCommand(sandbox, params[0]!, params[1]!)),
    },
    {
      method: "GET",
      pattern: /^\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/,
      handle: ({ params, sandbox }) => logsDto(findCommand(sandbox, params[0]!, params[1]!)),
    },
  ];
}
