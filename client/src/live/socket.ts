// The one Socket.IO connection of the tab, typed with shared/realtime.ts. Same origin, so the
// Auth.js session cookie authenticates it; it connects after sign-in and closes at sign-out.
import { io, type Socket } from "socket.io-client";
import { useSyncExternalStore } from "react";
import type { ClientToServerEvents, ServerToClientEvents } from "@shared/realtime";

export type PaddockSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting" | "unauthorized";

let socket: PaddockSocket | undefined;
let state: ConnectionState = "idle";
const listeners = new Set<() => void>();

function setState(next: ConnectionState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

export function getSocket(): PaddockSocket {
  if (!socket) {
    socket = io({
      path: "/socket.io",
      // WebSocket first: with several API processes behind a load balancer, long-polling would
      // need sticky sessions. Polling stays as the fallback for proxies that block upgrades.
      transports: ["websocket", "polling"],
      withCredentials: true,
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.3,
    });
    socket.on("connect", () => setState("live"));
    socket.on("disconnect", (reason) => {
      setState("reconnecting");
      // A server-side disconnect is not retried by the client library; a restarted server is.
      if (reason === "io server disconnect") setTimeout(() => socket?.connect(), 1000);
    });
    socket.on("connect_error", (err) => {
      if (err.message === "unauthorized") {
        setState("unauthorized");
        return;
      }
      setState("reconnecting");
    });
  }
  return socket;
}

export function connectSocket() {
  const s = getSocket();
  if (!s.connected) {
    setState(state === "idle" ? "connecting" : state);
    s.connect();
  }
}

export function disconnectSocket() {
  socket?.disconnect();
  setState("idle");
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}
