// Who is calling: the Auth.js session cookie, or `Authorization: Bearer <personal API token>`.
// Used by tRPC's context and the Socket.IO handshake alike.
import type { Request } from "express";
import type { IncomingMessage } from "node:http";
import { getSession, type ExpressAuthConfig } from "@auth/express";
import type { Db } from "../lib/db";
import { rememberedTokenUser, userForToken } from "./token-cache";
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
const resolved = new WeakMap<IncomingMessage, AuthUser | null | Promise<AuthUser | null>>();

/**
 * The caller when that is known without waiting — no credentials at all (null), or an API token
 * this process remembers (token-cache.ts) — else undefined, and resolveUser looks it up. The rate
 * limiter keys a request by it without a promise on the path of nearly every scripted call.
 */
export function userIfKnown(req: IncomingMessage): AuthUser | null | undefined {
  const seen = resolved.get(req);
  if (seen !== undefined) return seen instanceof Promise ? undefined : seen;
  const token = bearerToken(req.headers.authorization);
  const user = token ? rememberedTokenUser(token) : req.headers.cookie?.includes("authjs.session-token") ? undefined : null;
  if (user !== undefined) resolved.set(req, user);
  return user;
}

export function resolveUser(db: Db, authConfig: ExpressAuthConfig, req: Request): Promise<AuthUser | null> {
  const known = userIfKnown(req);
  if (known !== undefined) return Promise.resolve(known);
  let user = resolved.get(req) as Promise<AuthUser | null> | undefined;
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
