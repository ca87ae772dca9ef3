// Who is calling: the Auth.js session cookie, or `Authorization: Bearer <personal API token>`.
// Used by tRPC's context and the Socket.IO handshake alike.
import type { Request } from "express";
import { getSession, type ExpressAuthConfig } from "@auth/express";
import type { Db } from "../lib/db";
import { userForToken } from "./token-cache";
import { pgPool } from "../lib/pg";
import type { Role } from "../generated/prisma/enums";

export interface AuthUser {
  id: string;
  role: Role;
  /** Set when the caller proved itself with a personal API token rather than a session. */
  viaApiToken?: true;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(" ");
  return scheme?.toLowerCase() === "bearer" && value ? value.trim() : undefined;
}

// The rate limiter and tRPC's context both ask who sent a request: it is worked out once.
const resolved = new WeakMap<Request, Promise<AuthUser | null>>();

export function resolveUser(db: Db, authConfig: ExpressAuthConfig, req: Request): Promise<AuthUser | null> {
  let user = resolved.get(req);
  if (!user) {
    user = lookUpUser(db, authConfig, req);
    resolved.set(req, user);
  }
  return user;
}

async function lookUpUser(db: Db, authConfig: ExpressAuthConfig, req: Request): Promise<AuthUser | null> {
  const token = bearerToken(req.headers.authorization);
  if (token) return userForToken(pgPool(), token);
  if (!req.headers.cookie?.includes("authjs.session-token")) return null;
  const session = await getSession(req, authConfig).catch(() => null);
  const id = session?.user?.id;
  if (!id) return null;
  return db.user.findUnique({ where: { id }, select: { id: true, role: true } });
}
