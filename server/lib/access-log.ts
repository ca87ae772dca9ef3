// Request ids and access logs. Each request gets an id (a well-formed incoming x-request-id, or
// a new UUID) echoed in the x-request-id header; when the response finishes it is logged at
// debug (2xx/3xx), info (4xx) or error (5xx), with the method, path, status and time. Nothing
// is built for requests whose level is off: a busy API answers thousands of calls a second, and
// a per-request child logger that serialized the request up front (what pino-http does) cost a
// noticeable share of its CPU (bench:bets).
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { Logger } from "./logger";

declare module "http" {
  interface IncomingMessage {
    /** This request's id (x-request-id). */
    id?: string;
  }
}

/** What the log reads of a request: Express's, or a plain one (the agent API: server/app.ts). */
type LoggedRequest = IncomingMessage & { originalUrl?: string; ip?: string | undefined };

export function accessLog(
  logger: Logger,
  opts: {
    ignore?: (req: IncomingMessage) => boolean;
    /** The caller's address, worked out only for a request that is logged (default: Express's `req.ip`). */
    address?: (req: LoggedRequest) => string | undefined;
  } = {},
) {
  return (req: LoggedRequest, res: ServerResponse, next: () => void) => {
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader("x-request-id", id);
    if (opts.ignore?.(req)) return next();
    const started = performance.now();
    res.once("finish", () => {
      const level = res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "info" : "debug";
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          reqId: id,
          req: { method: req.method, url: req.originalUrl ?? req.url, remoteAddress: opts.address ? opts.address(req) : req.ip },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        "request completed",
      );
    });
    next();
  };
}
