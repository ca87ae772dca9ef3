// createApp(): Paddock's HTTP request handler (tRPC and the agent API in front of the Express
// application, which answers every other route), without listening, so tests drive it with supertest.
import express from "express";
import type { IncomingMessage, RequestListener } from "node:http";
import { existsSync } from "node:fs";
import path from "node:path";
import { ExpressAuth } from "@auth/express";
import { config } from "./config";
import { db } from "./lib/db";
import { logger } from "./lib/logger";
import { accessLog } from "./lib/access-log";
import helmet from "helmet";
import { redis } from "./lib/redis";
import { jsonErrorHandler, sendError } from "./lib/http-errors";
import { addressKey, rateLimiter, redisRateLimit } from "./lib/rate-limit";
import { appRouter } from "./trpc/root";
import { createContextInner } from "./trpc/context";
import { trpcExpressHandler } from "./trpc/express-handler";
import { trpcCallLimits } from "./trpc/call-limits";
import { createAuthConfig, enabledOAuthProviders } from "./auth/auth-config";
import { resolveUser, userIfKnown, type AuthUser } from "./auth/resolve-user";
import { mountApiExtensions } from "./http-routes";
import { AGENT_API_PATH, createAgentApi } from "./bridge/agent-api/routes";
import { chain, expressRequestOf, underPath } from "./lib/front-door";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits";

const CLIENT_DIST = path.resolve(import.meta.dirname, "..", "dist", "client");

export function createApp(): RequestListener {
  const app = express();
  const authConfig = createAuthConfig(db, config);
  app.set("trust proxy", config.TRUST_PROXY);
  app.disable("x-powered-by");

  const requestLog = accessLog(logger, { ignore: (req) => req.url === "/api/health" });
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "style-src": ["'self'", "'unsafe-inline'"],
      },
    },
  });
  app.use(requestLog);
  app.use(securityHeaders);

  // tRPC and the agent API are answered in front of Express (lib/front-door.ts); what they need of
  // Express's request (the address by the trust-proxy rule, Auth.js reading a session cookie) is made
  // only when asked. The figure for tRPC: `npm run bench:bets`, alternating runs of this and of the
  // same code behind Express (b16c325) on the 2-core machine: API CPU per bet 1.08–1.11 ms there,
  // 0.66–0.72 ms here (920–945 → 1,329–1,441 bets/s).
  const asExpress = expressRequestOf(app);
  const addressOf = (req: IncomingMessage) => addressKey(asExpress(req));
  const whoIs = (req: IncomingMessage) => {
    const known = userIfKnown(req);
    return known !== undefined ? Promise.resolve(known) : resolveUser(db, authConfig, asExpress(req));
  };
  const frontLog = accessLog(logger, { address: (req) => asExpress(req).ip });

  // A signed-in caller (a valid session or API token) spends its own budget; everyone else,
  // including a request with a token that resolves to nobody, spends its address's.
  const keyOf = (req: IncomingMessage, user: AuthUser | null) => (user ? `u:${user.id}` : addressOf(req));
  const clientKey = (req: IncomingMessage): string | Promise<string> => {
    const known = userIfKnown(req);
    if (known !== undefined) return keyOf(req, known);
    return whoIs(req).then(
      (user) => keyOf(req, user),
      () => addressOf(req),
    );
  };
  const authLimit = rateLimiter("auth", config.RATE_LIMIT_AUTH_PER_MINUTE);

  const trpc = chain([
    frontLog,
    securityHeaders,
    trpcCallLimits({
      maxBatchCalls: TRPC_MAX_BATCH_CALLS,
      auth: authLimit,
      write: rateLimiter("write", config.RATE_LIMIT_WRITE_PER_MINUTE),
      read: rateLimiter("read", config.RATE_LIMIT_READ_PER_MINUTE),
      clientKey,
      addressKey: addressOf,
    }),
    trpcExpressHandler({
      router: appRouter,
      maxBodySize: 1024 * 1024,
      maxBatchCalls: TRPC_MAX_BATCH_CALLS,
      createContext: async (req) => createContextInner({ user: await whoIs(req), req }),
      // The one log line of an unexpected failure, inside a procedure or around it (context, body).
      onError: ({ error, path: procPath, ctx }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, path: procPath, reqId: ctx?.requestId }, "tRPC call failed");
      },
    }),
  ]);
  // The external agents' API, with the same log and headers (bench:dispatch; the figure is in its file).
  const agentApi = createAgentApi([frontLog, securityHeaders]);

  app.get("/api/health", async (_req, res) => {
    const [pg, rd] = await Promise.allSettled([db.$queryRaw`SELECT 1`, redis().ping()]);
    const checks = { postgres: pg.status === "fulfilled" ? "ok" : "down", redis: rd.status === "fulfilled" ? "ok" : "down" };
    const ok = checks.postgres === "ok" && checks.redis === "ok";
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "degraded", checks });
  });
  app.get("/api/auth-providers", (_req, res) => {
    res.json({ credentials: true, oauth: enabledOAuthProviders(config) });
  });

  // Sign-in is limited per address, whoever the caller claims to be (per account: sign-in-backoff.ts).
  app.use("/api/auth", redisRateLimit(authLimit, { skip: (req) => req.method === "GET" }));
  app.use("/api/auth", ExpressAuth(authConfig));

  mountApiExtensions(app, { authConfig });

  app.use("/api", (_req, res) => sendError(res, 404, "NOT_FOUND", "no such API route"));

  if (config.SERVE_CLIENT && existsSync(CLIENT_DIST)) {
    app.use(express.static(CLIENT_DIST, { index: false, maxAge: "1h" }));
    app.get("/{*splat}", (_req, res) => res.sendFile(path.join(CLIENT_DIST, "index.html")));
  } else {
    app.get("/", (_req, res) => {
      res
        .type("html")
        .send(
          "<!doctype html><title>Paddock</title><h1>Paddock</h1><p>The API is running. Build the client with <code>npm run build</code> to serve the app here.</p>",
        );
    });
  }

  app.use(jsonErrorHandler);

  return (req, res) => {
    const url = req.url ?? "/";
    if (underPath(url, "/trpc")) trpc(req, res);
    else if (underPath(url, AGENT_API_PATH)) agentApi(req, res);
    else app(req, res);
  };
}
