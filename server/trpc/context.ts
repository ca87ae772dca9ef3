import type { IncomingMessage } from "node:http";
import type { AuthUser } from "../auth/resolve-user";

/** Everything a procedure may use. Tests build it directly with createContextInner. */
export interface Context {
  user: AuthUser | null;
  /** The HTTP request's id (x-request-id), named in the log line and the answer of an unexpected failure. */
  requestId?: string;
}

export function createContextInner(opts: { user: AuthUser | null; req?: IncomingMessage }): Context {
  const ctx: Context = { user: opts.user };
  if (opts.req) ctx.requestId = String(opts.req.id ?? "");
  return ctx;
}
