// Socket.IO on the API's HTTP server (path /socket.io). Rooms are shared across API processes
// through the Redis adapter, on the same channel prefix the workers' Redis emitter publishes to
// (server/realtime/emit.ts), so an update published anywhere reaches every watching browser.
//
// Clients only ever join rooms through the handlers below: their own `user:<id>` room at
// connect (balances and bets are private), a run's room after canViewRun, and the arena.
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { z } from "zod";
import { config } from "../config";
import type { Db } from "../lib/db";
import { createRedis } from "../lib/redis";
import { logger } from "../lib/logger";
import { createAuthConfig } from "../auth/auth-config";
import type { AuthUser } from "../auth/resolve-user";
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from "@shared/realtime";
import { socketChannelPrefix } from "./emit";
import { authenticateHandshake } from "./handshake-auth";
import { canViewRun, isWorkspaceMember } from "./access";
import { eventsAfter, latestSeq } from "./catch-up";
import { arenaRoomsFor, isArenaRoom, watchMembershipChanges } from "./membership";

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
interface InterServerEvents {}
export interface SocketData {
  user: AuthUser;
}

export type PaddockIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeServer {
  io: PaddockIo;
  close(): Promise<void>;
}

const workspaceRoomInput = z.object({ workspaceId: z.string().min(1).max(64) });
const subscribeInput = z.object({
  runId: z.string().min(1).max(64),
  afterSeq: z.number().int().min(0).optional(),
});

export async function startRealtime(db: Db, server: HttpServer): Promise<RealtimeServer> {
  const authConfig = createAuthConfig(db, config);
  const pub = createRedis("general");
  const sub = createRedis("subscriber");

  const io: PaddockIo = new Server(server, {
    path: "/socket.io",
    // The browser is served from the same origin; cross-origin pages get no CORS headers.
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 64 * 1024,
    adapter: createAdapter(pub, sub, { key: socketChannelPrefix() }),
  });

  io.use((socket, next) => {
    authenticateHandshake(db, authConfig, { auth: socket.handshake.auth ?? {}, request: socket.request })
      .then((user) => {
        if (!user) return next(new Error("unauthorized"));
        socket.data.user = user;
        next();
      })
      .catch(() => next(new Error("unauthorized")));
  });

  io.on("connection", (socket) => {
    const user = socket.data.user;
    void socket.join(rooms.user(user.id));

    socket.on("run:subscribe", async (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const parsed = subscribeInput.safeParse(raw);
      if (!parsed.success) {
        reply({ ok: false, error: "runId must be a run id; afterSeq, when given, a whole number >= 0" });
        return;
      }
      const { runId, afterSeq } = parsed.data;
      try {
        if (!(await canViewRun(db, user.id, runId))) {
          reply({ ok: false, error: "no such run, or you may not watch it" });
          return;
        }
        // Join before reading, so an event committed in between arrives live as well as in the
        // replay (clients drop duplicates by seq) instead of falling into the gap.
        await socket.join(rooms.run(runId));
        if (afterSeq === undefined) {
          reply({ ok: true, missed: [], lastSeq: await latestSeq(db, runId), more: false });
          return;
        }
        const catchUp = await eventsAfter(db, runId, afterSeq);
        reply({ ok: true, missed: catchUp.missed, lastSeq: catchUp.lastSeq, more: catchUp.more });
      } catch (err) {
        logger.warn({ err, runId }, "run:subscribe failed");
        reply({ ok: false, error: "could not subscribe right now; retry shortly" });
      }
    });

    socket.on("run:unsubscribe", (raw) => {
      const parsed = subscribeInput.pick({ runId: true }).safeParse(raw);
      if (parsed.success) void socket.leave(rooms.run(parsed.data.runId));
    });

    socket.on("arena:subscribe", async (ack) => {
      try {
        await socket.join(await arenaRoomsFor(db, user.id));
        if (typeof ack === "function") ack({ ok: true });
      } catch (err) {
        logger.warn({ err }, "arena:subscribe failed");
        if (typeof ack === "function") ack({ ok: false });
      }
    });

    socket.on("workspace:subscribe", async (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const parsed = workspaceRoomInput.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: "workspaceId must be a workspace id" });
      try {
        if (!(await isWorkspaceMember(db, user.id, parsed.data.workspaceId)))
          return reply({ ok: false, error: "no such workspace among yours" });
        await socket.join(rooms.workspace(parsed.data.workspaceId));
        reply({ ok: true });
      } catch (err) {
        logger.warn({ err }, "workspace:subscribe failed");
        reply({ ok: false, error: "could not subscribe right now; retry shortly" });
      }
    });

    socket.on("workspace:unsubscribe", (raw) => {
      const parsed = workspaceRoomInput.safeParse(raw);
      if (parsed.success) void socket.leave(rooms.workspace(parsed.data.workspaceId));
    });

    socket.on("arena:unsubscribe", () => {
      for (const room of [...socket.rooms]) if (isArenaRoom(room)) void socket.leave(room);
    });
  });

  const membership = await watchMembershipChanges(io, db);

  // Drops the transports without a Socket.IO "disconnect" packet: clients see "transport close"
  // and reconnect on their own (to this process after a restart, or to a sibling), whereas a
  // server-side disconnect would tell them to stay away. It also releases the upgraded
  // connections that would otherwise keep server.close() waiting.
  const shutdownSockets = () => io.engine.close();

  // startPaddock closes the HTTP server before calling close(): end live connections as soon as
  // the server starts closing, whichever of the two comes first.
  const closeHttp = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    shutdownSockets();
    return closeHttp(callback);
  };

  return {
    io,
    close: async () => {
      shutdownSockets();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await Promise.allSettled([pub.quit(), sub.quit(), membership.close()]);
    },
  };
}
