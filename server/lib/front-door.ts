// Paddock's busiest routes are answered in front of Express by plain Node handlers: the external
// agents' API (bridge/agent-api/routes.ts) and tRPC (app.ts). Express gives every request it routes
// its own request and response prototypes and walks its layers; on these routes that cost more
// than a third of the API's CPU per call (the figures are in app.ts and the agent API's file).
// A front-door route is a list of steps, each a middleware in Express's shape (the request log,
// the security headers, the call limits) ending with the one that answers; an error any step
// passes on or throws is answered by answerError, as Express's error handler answers it.
import type { Express, Request } from "express";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerError } from "./http-errors";

export type Step = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Whether `url` is under `path` as Express mounts it: any case, then `/`, `?` or the end. */
export function underPath(url: string, path: string): boolean {
  if (url.length < path.length || url.slice(0, path.length).toLowerCase() !== path) return false;
  const next = url[path.length];
  return next === undefined || next === "/" || next === "?";
}

/** Runs the steps in order, each on the previous one's `next()`. */
export function chain(steps: Step[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let i = 0;
    const next = (err?: unknown) => {
      if (err !== undefined && err !== null) return answerError(err, req, res);
      const step = steps[i++];
      if (!step) return;
      try {
        step(req, res, next);
      } catch (thrown) {
        answerError(thrown, req, res);
      }
    };
    next();
  };
}

/**
 * A front-door request as `app` would have it, for the few places that need Express's request
 * (the caller's address by the trust-proxy rule, `req.ip`; Auth.js reading a session cookie): it
 * takes Express's request prototype, as Express gives it to every request it routes, only when asked.
 */
export function expressRequestOf(app: Express): (req: IncomingMessage) => Request {
  return (req) => (Object.getPrototypeOf(req) === app.request ? req : Object.setPrototypeOf(req, app.request)) as Request;
}
