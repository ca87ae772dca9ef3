// Authenticates a Socket.IO handshake exactly like an HTTP request to tRPC: the Auth.js session
// cookie, or a personal API token given as `auth: { token }` or an `Authorization: Bearer` header.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Request } from "express";
import type { ExpressAuthConfig } from "@auth/express";
import type { Db } from "../lib/db";
import { resolveUser, type AuthUser } from "../auth/resolve-user";

export interface HandshakeLike {
  /** `socket.handshake.auth` — what the client passed as `io(url, { auth })`. */
  auth: Record<string, unknown>;
  /** `socket.request`: the HTTP request that opened the connection. */
  request: IncomingMessage;
}

export async function authenticateHandshake(db: Db, authConfig: ExpressAuthConfig, handshake: HandshakeLike): Promise<AuthUser | null> {
  const headers = { ...handshake.request.headers };
  const token = handshake.auth.token;
  if (typeof token === "string" && token.length > 0 && token.length <= 512) headers.authorization = `Bearer ${token}`;
  // resolveUser (and Auth.js's getSession under it) read only the headers and the protocol of
  // an Express request; the raw upgrade/polling request carries both.
  const forwarded = String(headers["x-forwarded-proto"] ?? "")
    .split(",")[0]
    ?.trim();
  const encrypted = Boolean((handshake.request.socket as TLSSocket | undefined)?.encrypted);
  const protocol = forwarded === "https" || forwarded === "http" ? forwarded : encrypted ? "https" : "http";
  const req = { headers, protocol } as unknown as Request;
  return resolveUser(db, authConfig, req).catch(() => null);
}
