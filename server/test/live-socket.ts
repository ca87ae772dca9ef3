// For tests: a Socket.IO client signed in as a user (a personal API token), connected to a test
// Paddock, that keeps every message of the events asked for.
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@shared/realtime";
import { db } from "../lib/db";
import { createApiToken } from "../domain/users";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function liveSocketAs<E extends keyof ServerToClientEvents>(url: string, userId: string, events: readonly E[]) {
  const { token } = await createApiToken(db, userId, "live socket in a test");
  const socket: ClientSocket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  const received: { event: E; msg: Parameters<ServerToClientEvents[E]>[0]; at: number }[] = [];
  const wanted = new Set<string>(events);
  socket.onAny((event: string, msg: Parameters<ServerToClientEvents[E]>[0]) => {
    if (wanted.has(event)) received.push({ event: event as E, msg, at: Date.now() });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return {
    socket,
    received,
    async joinWorkspace(workspaceId: string) {
      const ack = await socket.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId });
      if (!ack.ok) throw new Error(`could not join workspace ${workspaceId}: ${ack.error}`);
    },
  };
}
