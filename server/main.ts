// Boots Paddock: API + Socket.IO + workers in one process (PADDOCK_ROLE=all, the default), or
// one role per process (api | worker) for scaling out. Shuts down gracefully on SIGTERM/SIGINT.
import { createServer, type Server } from "node:http";
import { config } from "./config";
import { logger } from "./lib/logger";
import { db } from "./lib/db";
import { closePgPool, warmPgPool } from "./lib/pg";
import { closeAllRedis } from "./lib/redis";
import { createApp } from "./app";
import { agentApiWarmUp } from "./bridge/agent-api/routes";
import { closeQueues } from "./jobs/queues";
import { startWorkers, type RunningWorkers } from "./jobs/worker";
import { startRealtime, type RealtimeServer } from "./realtime/server";
import { setBridgeBaseUrl } from "./bridge/bridge-url";
import { closeProviders } from "./providers";
import { closePromptSignals, releasePromptPolls } from "./bridge/prompt-signal";
import { ensureBuiltinAgents } from "./domain/agents/builtin";
import { promoteAdminEmail } from "./domain/users";

export interface Paddock {
  server?: Server;
  url?: string;
  stop: () => Promise<void>;
}

export async function startPaddock(role = config.PADDOCK_ROLE, port = config.PORT): Promise<Paddock> {
  let server: Server | undefined;
  let realtime: RealtimeServer | undefined;
  let workers: RunningWorkers | undefined;
  let url: string | undefined;

  // Whatever set up this database (compose's migrate step seeds nothing), a run can be launched.
  await ensureBuiltinAgents(db);

  if (role === "all" || role === "api") {
    if (config.ADMIN_EMAIL && (await promoteAdminEmail(db, config.ADMIN_EMAIL))) {
      logger.info({ email: config.ADMIN_EMAIL }, "ADMIN_EMAIL: account made admin");
    }
    // The agent API's statements ready on the raw pool's first connections before the first request.
    await warmPgPool(agentApiWarmUp).catch((err: unknown) =>
      logger.warn({ err }, "could not prepare the agent API's statements at start; each connection prepares them on first use"),
    );
    server = createServer(createApp());
    realtime = await startRealtime(db, server);
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(port, config.HOST, () => resolve());
    });
    const address = server.address();
    const actualPort = typeof address === "object" && address ? address.port : port;
    url = `http://localhost:${actualPort}`;
    // Agents on this host reach the bridge directly (BRIDGE_PUBLIC_URL overrides, e.g. for Daytona).
    setBridgeBaseUrl(`http://127.0.0.1:${actualPort}`);
    logger.info({ url }, "Paddock API listening");
  }
  if (role === "all" || role === "worker") workers = await startWorkers();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info("shutting down");
      // Draining: agents' prompt long-polls answer now rather than hold the close for 25 s
      // (the SDK polls again, reaching this process's successor).
      releasePromptPolls();
      // Sockets first: open WebSockets would keep the HTTP server from closing. They are cut
      // without a Socket.IO disconnect packet, so browsers reconnect (see realtime/server.ts).
      await realtime?.close();
      if (server) {
        // Stop accepting; requests in flight finish, then their keep-alive connections close
        // (close() only ends the connections idle at the moment it is called).
        const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        clearInterval(closeIdle);
      }
      await workers?.close();
      await closeQueues();
      await closeProviders();
      await closePromptSignals();
      await db.$disconnect();
      await closePgPool();
      await closeAllRedis();
    })());
  return { ...(server ? { server } : {}), ...(url ? { url } : {}), stop };
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const paddock = await startPaddock();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      // Bound the shutdown so a stuck connection cannot keep the process alive forever.
      setTimeout(() => process.exit(1), 15_000).unref();
      void paddock.stop().then(() => process.exit(0));
    });
  }
}
