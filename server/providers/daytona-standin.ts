// A local stand-in for the Daytona API, for tests and offline development: Daytona itself is
// unreachable from Paddock's machines. It answers the endpoints `@daytonaio/sdk` 0.218 calls for
// what the daytona provider does, keeps sandboxes in memory, and really runs session commands as
// local processes in a temporary directory per sandbox, so exit codes and output are real.
//
//   API (under /api)                  toolbox (under /toolbox/<sandboxId>; see daytona-standin-toolbox.ts)
//   POST   /sandbox                   GET    /work-dir
//   GET    /sandbox?labels=…          POST   /files/bulk-upload           (multipart)
//   GET    /sandbox/:idOrName         POST   /files/permissions?path&mode
//   DELETE /sandbox/:idOrName         POST   /process/session
//   POST   /sandbox/:idOrName/start   GET    /process/session/:sid
//   POST   /sandbox/:idOrName/stop    DELETE /process/session/:sid
//   PUT    /sandbox/:idOrName/labels  POST   /process/session/:sid/exec
//   GET    /sandbox/:id/toolbox-proxy-url   GET /process/session/:sid/command/:cid
//   Socket.IO at /api/socket.io/      GET    /process/session/:sid/command/:cid/logs (HTTP or WebSocket)
//
// Sandbox DTOs carry `toolboxProxyUrl: <origin>/toolbox`, so the SDK sends toolbox calls here too.
// Not a sandbox: commands run as the current user, like the local provider.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { Server as SocketIoServer } from "socket.io";
import {
  createToolboxRoutes,
  findCommand,
  HttpError,
  killCommands,
  streamCommandLog,
  type Route,
  type StandinSandbox,
  type ToolboxFaults,
} from "./daytona-standin-toolbox";
import { acceptWebSocket } from "./daytona-standin-ws";

export type { StandinCommand, StandinSandbox } from "./daytona-standin-toolbox";

export interface DaytonaStandinState extends ToolboxFaults {
  readonly sandboxes: Map<string, StandinSandbox>;
  /** Fault injection: the next N sandbox creations answer HTTP 500. */
  failNextCreates: number;
  /** Every request as "METHOD /path" ("WS /path" for WebSocket upgrades), in order. */
  readonly requests: string[];
}

export interface DaytonaStandin {
  /** Pass as the SDK's `apiUrl`. */
  url: string;
  apiKey: string;
  state: DaytonaStandinState;
  close(): Promise<void>;
}

const ORGANIZATION_ID = "standin-org";

export async function startDaytonaStandin(options: { apiKey?: string } = {}): Promise<DaytonaStandin> {
  const apiKey = options.apiKey ?? "standin-api-key";
  const rootDir = await mkdtemp(path.join(tmpdir(), "paddock-daytona-standin-"));
  const state: DaytonaStandinState = {
    sandboxes: new Map(),
    failNextCreates: 0,
    failNextUploads: 0,
    failNextExecs: 0,
    requests: [],
  };
  let origin = "";
  const upgradedSockets = new Set<Duplex>();

  const findSandbox = (idOrName: string) => state.sandboxes.get(idOrName) ?? [...state.sandboxes.values()].find((s) => s.name === idOrName);
  const requireSandbox = (idOrName: string) => {
    const sandbox = findSandbox(idOrName);
    if (!sandbox) throw new HttpError(404, `Sandbox with ID or name ${idOrName} not found`);
    return sandbox;
  };
  const toDto = (s: StandinSandbox) => ({
    id: s.id,
    organizationId: ORGANIZATION_ID,
    name: s.name,
    snapshot: "daytona-standin",
    user: "daytona",
    env: s.env,
    labels: s.labels,
    public: false,
    networkBlockAll: false,
    target: s.target,
    cpu: 1,
    gpu: 0,
    memory: 1,
    disk: 3,
    state: s.state,
    desiredState: s.state === "destroying" ? "destroyed" : s.state === "stopped" ? "stopped" : "started",
    autoStopInterval: 0,
    autoArchiveInterval: 10_080,
    autoDeleteInterval: -1,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    toolboxProxyUrl: `${origin}/toolbox`,
  });

  // The SDK streams sandbox events over Socket.IO by default; answering keeps it off its
  // reconnect-with-backoff path (whose timers would hold a test process open for minutes).
  const io = new SocketIoServer({ path: "/api/socket.io/", serveClient: false, destroyUpgrade: false });
  io.use((socket, next) => next(socket.handshake.auth?.token === apiKey ? undefined : new Error("unauthorized")));
  const setState = (sandbox: StandinSandbox, newState: string) => {
    const oldState = sandbox.state;
    sandbox.state = newState;
    sandbox.updatedAt = new Date().toISOString();
    io.emit("sandbox.state.updated", { sandbox: toDto(sandbox), oldState, newState });
  };

  const apiRoutes: Route[] = [
    {
      method: "POST",
      pattern: /^\/sandbox$/,
      handle: async ({ body }) => {
        if (state.failNextCreates > 0) {
          state.failNextCreates--;
          throw new HttpError(500, "Injected failure: sandbox creation");
        }
        const input = JSON.parse(body.toString("utf8") || "{}") as {
          name?: string;
          labels?: Record<string, string>;
          env?: Record<string, string>;
          target?: string;
        };
        const id = randomUUID();
        const name = input.name ?? id;
        if (findSandbox(name)) throw new HttpError(409, `Sandbox with name ${name} already exists`);
        const dir = path.join(rootDir, id);
        const now = new Date().toISOString();
        const sandbox: StandinSandbox = {
          id,
          name,
          labels: { ...input.labels },
          env: { ...input.env },
          target: input.target ?? "us",
          state: "started",
          dir,
          createdAt: now,
          updatedAt: now,
          sessions: new Map(),
        };
        // Registered before the first await, so the name is taken at once, as Daytona's unique
        // name is: a concurrent create of the same name gets its 409.
        state.sandboxes.set(id, sandbox);
        await mkdir(dir, { recursive: true });
        io.emit("sandbox.created", toDto(sandbox));
        return toDto(sandbox);
      },
    },
    {
      method: "GET",
      pattern: /^\/sandbox$/,
      handle: ({ query }) => {
        const wanted = JSON.parse(query.get("labels") ?? "{}") as Record<string, string>;
        const matching = [...state.sandboxes.values()].filter((s) => Object.entries(wanted).every(([k, v]) => s.labels[k] === v));
        const offset = Number(query.get("cursor") ?? 0);
        const limit = Number(query.get("limit") ?? 100);
        const nextCursor = offset + limit < matching.length ? String(offset + limit) : null;
        return { items: matching.slice(offset, offset + limit).map(toDto), nextCursor };
      },
    },
    { method: "GET", pattern: /^\/sandbox\/([^/]+)$/, handle: ({ params }) => toDto(requireSandbox(params[0]!)) },
    {
      method: "GET",
      pattern: /^\/sandbox\/([^/]+)\/toolbox-proxy-url$/,
      handle: ({ params }) => (requireSandbox(params[0]!), { url: `${origin}/toolbox` }),
    },
    {
      method: "DELETE",
      pattern: /^\/sandbox\/([^/]+)$/,
      handle: async ({ params }) => {
        const sandbox = requireSandbox(params[0]!);
        killCommands(sandbox);
        state.sandboxes.delete(sandbox.id);
        await rm(sandbox.dir, { recursive: true, force: true });
        setState(sandbox, "destroying");
        return toDto(sandbox);
      },
    },
    {
      method: "POST",
      pattern: /^\/sandbox\/([^/]+)\/start$/,
      handle: ({ params }) => {
        const sandbox = requireSandbox(params[0]!);
        setState(sandbox, "started");
        return toDto(sandbox);
      },
    },
    {
      method: "POST",
      pattern: /^\/sandbox\/([^/]+)\/stop$/,
      handle: ({ params }) => {
        const sandbox = requireSandbox(params[0]!);
        // A stopped container has no processes left, and the daemon's sessions go with them.
        killCommands(sandbox);
        sandbox.sessions.clear();
        setState(sandbox, "stopped");
        return toDto(sandbox);
      },
    },
    {
      method: "PUT",
      pattern: /^\/sandbox\/([^/]+)\/labels$/,
      handle: ({ params, body }) => {
        const sandbox = requireSandbox(params[0]!);
        sandbox.labels = { ...(JSON.parse(body.toString("utf8")) as { labels: Record<string, string> }).labels };
        return { labels: sandbox.labels };
      },
    },
  ];
  const toolboxRoutes = createToolboxRoutes(state);

  /** Finds the route and, for toolbox paths, the started sandbox it addresses. */
  const match = (method: string, pathname: string): { route: Route; params: string[]; sandbox?: StandinSandbox } => {
    const api = /^\/api(\/.*)$/.exec(pathname);
    const toolbox = /^\/toolbox\/([^/]+)(\/.*)$/.exec(pathname);
    const [routes, rest] = api ? [apiRoutes, api[1]!] : toolbox ? [toolboxRoutes, toolbox[2]!] : [[], pathname];
    for (const route of routes) {
      const m = route.method === method ? route.pattern.exec(rest) : null;
      if (!m) continue;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      if (!toolbox) return { route, params };
      const sandbox = requireSandbox(decodeURIComponent(toolbox[1]!));
      if (sandbox.state !== "started") throw new HttpError(400, `Sandbox ${sandbox.id} is ${sandbox.state}, not started`);
      return { route, params, sandbox };
    }
    throw new HttpError(404, `Cannot ${method} ${pathname}`);
  };

  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${apiKey}`;

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    state.requests.push(`${method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      if (!authorized(req)) throw new HttpError(401, "Invalid credentials");
      const { route, params, sandbox } = match(method, url.pathname);
      const body = Buffer.concat(chunks);
      // `sandbox` is only read by toolbox routes, for which match() always sets it.
      const result = await route.handle({ req, params, query: url.searchParams, body, sandbox: sandbox! });
      res.writeHead(route.status ?? 200, result === undefined ? {} : { "content-type": "application/json" });
      res.end(result === undefined ? undefined : JSON.stringify(result));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ statusCode: status, message, error: status >= 500 ? "Internal Server Error" : "Error" }));
    }
  };

  // The only WebSocket besides Socket.IO: following a session command's log.
  const handleUpgrade = (req: IncomingMessage, socket: Duplex) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname.startsWith("/api/socket.io/")) return; // Socket.IO's own upgrade
    state.requests.push(`WS ${url.pathname}`);
    const route = /^\/toolbox\/([^/]+)\/process\/session\/([^/]+)\/command\/([^/]+)\/logs$/.exec(url.pathname);
    let command;
    try {
      if (!authorized(req)) throw new HttpError(401, "Invalid credentials");
      if (!route) throw new HttpError(404, `Cannot upgrade ${url.pathname}`);
      const sandbox = requireSandbox(decodeURIComponent(route[1]!));
      command = findCommand(sandbox, decodeURIComponent(route[2]!), decodeURIComponent(route[3]!));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      socket.end(`HTTP/1.1 ${status} Error\r\nConnection: close\r\n\r\n`);
      return;
    }
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    upgradedSockets.add(socket);
    ws.onClose(() => upgradedSockets.delete(socket));
    streamCommandLog(ws, command, url.searchParams.get("follow") === "true");
  };

  const server = createServer((req, res) => void handleRequest(req, res));
  server.on("upgrade", handleUpgrade);
  io.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/api`,
    apiKey,
    state,
    async close() {
      for (const sandbox of state.sandboxes.values()) killCommands(sandbox);
      for (const socket of upgradedSockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}
