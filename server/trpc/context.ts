import type { Request, Response } from "express";
import type { AuthUser } from "../auth/resolve-user";

/** Everything a procedure may use. Tests build it directly with createContextInner. */
export interface Context {
  user: AuthUser | null;
  req?: Request;
  res?: Response;
  requestId?: string;
  ip?: string;
}

export function createContextInner(opts: { user: AuthUser | null; req?: Request; res?: Response }): Context {
  const ctx: Context = { user: opts.user };
  if (opts.req) {
    ctx.req = opts.req;
    ctx.requestId = String(opts.req.id ?? "");
    ctx.ip = opts.req.ip ?? "";
  }
  if (opts.res) ctx.res = opts.res;
  return ctx;
}
