// For tests: Socket.IO clients signed in as users (a personal API token each), connected to a test
// Paddock — one at a time (socketAs), for a whole file (useSockets), or one that keeps every message
// of the events asked for (liveSocketAs).
import { afterAll } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@shared/realtime";
import { db } from "../lib/db";
import { createApiToken } from "../domain/users";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A socket on `url` signed in as `userId`, resolved once connected. `beforeConnect` gets it first,
 * so a listener it adds misses nothing sent on connection.
 */
export async function socketAs(url: string, userId: string, beforeConnect?: (socket: ClientSocket) => void): Promise<ClientSocket> {
  const { token } = await createApiToken(db, userId, "live socket in a test");
  const socket: ClientSocket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  beforeConnect?.(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/**
 * Sockets for a test file on the Paddock `url()` names (read when a socket is opened, so it may
 * start in beforeAll), all disconnected after the file's tests.
 */
export function useSockets(url: () => string) {
  const sockets: ClientSocket[] = [];
  afterAll(() => {
    for (const s of sockets) s.disconnect();
  });
  const socketFor = async (userId: string): Promise<ClientSocket> => {
    const socket = await socketAs(url(), userId);
    sockets.push(socket);
    return socket;
  };
  return { socketFor };
}

export async function liveSocketAs<E extends keyof ServerToClientEvents>(url: string, userId: string, events: readonly E[]) {
  const received: { event: E; msg: Parameters<ServerToClientEvents[E]>[0]; at: number }[] = [];
  const wanted = new Set<string>(events);
  const socket = await socketAs(url, userId, (s) =>
    s.onAny((event: string, msg: Parameters<ServerToClientEvents[E]>[0]) => {
      if (wanted.has(event)) received.push({ event: event as E, msg, at: Date.now() });
    }),
  );
  return {
    socket,
    received,
    async joinWorkspace(workspaceId: string) {
      const ack = await socket.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId });
      if (!ack.ok) throw new Error(`could not join workspace ${workspaceId}: ${ack.error}`);
    },
  };
}
