// The commands of the `paddock-agent` CLI, separate from the executable (cli.ts) so tests can
// run them with their own env, output and fetch. Results go to stdout as JSON; problems go to
// stderr. Exit codes: 0 ok, 1 the bridge refused or could not be reached, 2 usage error.
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PROMPTS_MAX_WAIT_SECONDS, eventKinds, type EventInput, type EventKind } from "../shared/bridge";
import { BridgeError, PaddockAgentClient } from "./sdk";

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch?: typeof fetch;
}

export const USAGE = `Usage: paddock-agent <command> [options]

Talks to the Paddock agent bridge at $PADDOCK_BRIDGE_URL with $PADDOCK_TOKEN. Network errors and
429/5xx answers are retried for $PADDOCK_RETRY_SECONDS (default 60) before the command fails.

Commands:
  run                                      print the run (goal, metric, target, budget…) as JSON
  progress <value> [--note TEXT]           set the run's progress to <value>
  event <kind> <message-or-json>           record an event, e.g. event log "hello",
                                           event action '{"name":"click","detail":"#submit"}'
                                           kinds: ${eventKinds.join(", ")}
  prompts [--wait [SECONDS]]               print pending prompts as JSON lines; --wait long-polls
                                           (default ${PROMPTS_MAX_WAIT_SECONDS} s, at most ${PROMPTS_MAX_WAIT_SECONDS})
  ack <prompt-id> [--response TEXT]        acknowledge a prompt
  spend <cents> --reason TEXT              spend credits from the run's budget
  upload <file> [--kind screenshot|file] [--caption TEXT] [--content-type TYPE]
  email --to ADDRESS --subject TEXT --body TEXT
  payment --amount CENTS --recipient NAME [--currency USD] [--memo TEXT]
  done --success|--failure [--summary TEXT]
  heartbeat                                tell Paddock the agent is alive
  --help                                   show this help
`;

class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;
type Handler = (client: PaddockAgentClient, args: { positionals: string[]; values: Values }, io: CliIo) => Promise<void>;

interface Command {
  options: Options;
  positionals: number;
  handler: Handler;
}

const print = (io: CliIo, value: unknown) => io.stdout(`${JSON.stringify(value)}\n`);

const COMMANDS: Record<string, Command> = {
  run: { options: {}, positionals: 0, handler: async (client, _args, io) => print(io, await client.run()) },
  heartbeat: { options: {}, positionals: 0, handler: async (client, _args, io) => print(io, await client.heartbeat()) },
  progress: {
    options: { note: { type: "string" } },
    positionals: 1,
    handler: async (client, { positionals, values }, io) =>
      print(io, await client.progress(parseNumber(positionals[0], "progress value"), str(values.note))),
  },
  event: {
    options: {},
    positionals: 2,
    handler: async (client, { positionals }, io) => print(io, await client.events([buildEvent(positionals[0], positionals[1])])),
  },
  prompts: {
    options: { wait: { type: "string" } },
    positionals: 0,
    handler: async (client, { values }, io) => {
      const wait = values.wait === undefined ? 0 : parseWholeNumber(str(values.wait), "--wait");
      if (wait > PROMPTS_MAX_WAIT_SECONDS) throw new UsageError(`--wait must be at most ${PROMPTS_MAX_WAIT_SECONDS} seconds`);
      for (const prompt of await client.prompts({ waitSeconds: wait })) print(io, prompt);
    },
  },
  ack: {
    options: { response: { type: "string" } },
    positionals: 1,
    handler: async (client, { positionals, values }, io) => print(io, await client.ack(positionals[0]!, str(values.response))),
  },
  spend: {
    options: { reason: { type: "string" } },
    positionals: 1,
    handler: async (client, { positionals, values }, io) =>
      print(io, await client.spendCredits(parseWholeNumber(positionals[0], "amount"), required(values, "reason"))),
  },
  upload: {
    options: { kind: { type: "string" }, caption: { type: "string" }, "content-type": { type: "string" } },
    positionals: 1,
    handler: async (client, { positionals, values }, io) => {
      const path = positionals[0]!;
      const kind = str(values.kind);
      if (kind !== undefined && kind !== "screenshot" && kind !== "file") throw new UsageError("--kind must be screenshot or file");
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
      });
      const caption = str(values.caption);
      print(
        io,
        await client.uploadArtifact({
          filename: basename(path),
          content,
          contentType: str(values["content-type"]) ?? guessContentType(path),
          ...(kind ? { kind } : {}),
          ...(caption !== undefined ? { caption } : {}),
        }),
      );
    },
  },
  email: {
    options: { to: { type: "string" }, subject: { type: "string" }, body: { type: "string" } },
    positionals: 0,
    handler: async (client, { values }, io) =>
      print(io, await client.email({ to: required(values, "to"), subject: required(values, "subject"), body: required(values, "body") })),
  },
  payment: {
    options: { amount: { type: "string" }, recipient: { type: "string" }, currency: { type: "string" }, memo: { type: "string" } },
    positionals: 0,
    handler: async (client, { values }, io) => {
      const currency = str(values.currency);
      const memo = str(values.memo);
      print(
        io,
        await client.payment({
          amountCents: parseWholeNumber(required(values, "amount"), "--amount"),
          recipient: required(values, "recipient"),
          ...(currency ? { currency } : {}),
          ...(memo !== undefined ? { memo } : {}),
        }),
      );
    },
  },
  done: {
    options: { success: { type: "boolean" }, failure: { type: "boolean" }, summary: { type: "string" } },
    positionals: 0,
    handler: async (client, { values }, io) => {
      if (Boolean(values.success) === Boolean(values.failure)) throw new UsageError("pass exactly one of --success or --failure");
      print(io, await client.complete(values.success ? "succeeded" : "failed", str(values.summary)));
    },
  },
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) return usageFailure(io, `unknown command "${name}"`);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(USAGE);
    return 0;
  }

  let parsed: { positionals: string[]; values: Values };
  try {
    parsed = parseArgs({
      args: name === "prompts" ? defaultWaitValue(rest) : rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    }) as { positionals: string[]; values: Values };
    if (parsed.positionals.length !== command.positionals) {
      throw new UsageError(`${name} takes ${command.positionals} argument(s), got ${parsed.positionals.length}`);
    }
  } catch (error) {
    return usageFailure(io, error instanceof Error ? error.message : String(error));
  }

  let client: PaddockAgentClient;
  try {
    client = PaddockAgentClient.fromEnv(io.env, io.fetch ? { fetch: io.fetch } : {});
  } catch (error) {
    io.stderr(`paddock-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  try {
    await command.handler(client, parsed, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error.message);
    if (error instanceof BridgeError) {
      const field = error.field ? ` (field: ${error.field})` : "";
      io.stderr(`paddock-agent: ${error.code}: ${error.message}${field}\n`);
      return 1;
    }
    throw error;
  }
}

function usageFailure(io: CliIo, message: string): number {
  io.stderr(`paddock-agent: ${message}\nRun "paddock-agent --help" for usage.\n`);
  return 2;
}

/** parseArgs has no optional option values, so a bare `--wait` is completed here. */
export function defaultWaitValue(args: string[]): string[] {
  const out: string[] = [];
  args.forEach((arg, i) => {
    out.push(arg);
    const next = args[i + 1];
    if (arg === "--wait" && (next === undefined || !/^\d+$/.test(next))) out.push(String(PROMPTS_MAX_WAIT_SECONDS));
  });
  return out;
}

/** The field a plain-text argument fills for each kind; other kinds need a JSON payload. */
const TEXT_FIELD: Partial<Record<EventKind, string>> = {
  log: "message",
  thought: "text",
  action: "name",
  tool_call: "tool",
  error: "message",
  screenshot: "artifactId",
  status: "to",
};

export function buildEvent(kind: string | undefined, data: string | undefined): EventInput {
  if (!kind || !(eventKinds as readonly string[]).includes(kind)) {
    throw new UsageError(`event kind must be one of: ${eventKinds.join(", ")}`);
  }
  const text = data ?? "";
  if (text.trimStart().startsWith("{")) {
    try {
      return { kind, payload: JSON.parse(text) as unknown } as EventInput;
    } catch (error) {
      throw new UsageError(`event payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (kind === "progress") return { kind, payload: { value: parseNumber(text, "progress value") } };
  const field = TEXT_FIELD[kind as EventKind];
  if (!field) throw new UsageError(`event ${kind} needs a JSON payload, e.g. ${exampleFor(kind)}`);
  return { kind, payload: { [field]: text } } as EventInput;
}

function exampleFor(kind: string): string {
  return kind === "email" ? `'{"to":"a@example.com","subject":"Hi"}'` : `'{"amountCents":500,"recipient":"ACME"}'`;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function required(values: Values, name: string): string {
  const value = str(values[name]);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

function parseNumber(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(value))
    throw new UsageError(`${what} must be a number, got "${text ?? ""}"`);
  return value;
}

function parseWholeNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got "${text ?? ""}"`);
  return Number(text);
}

const CONTENT_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
  ".html": "text/html",
  ".json": "application/json",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
};

function guessContentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
