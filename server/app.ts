// createApp(): the Express application, without listening, so tests drive it with supertest.
import express, { type Express } from "express";
import { existsSync } from "node:fs";
import path from "node:path";
import { ExpressAuth } from "@auth/express";
import { config } from "./config";
import { db } from "./lib/db";
import { logger } from "./lib/logger";
import { accessLog } from "./lib/access-log";
import { securityHeaders } from "./lib/security-headers";
import { redis } from "./lib/redis";
import { jsonErrorHandler, sendError } from "./lib/http-errors";
import { redisRateLimit } from "./lib/rate-limit";
import { appRouter } from "./trpc/root";
import { createContextInner } from "./trpc/context";
import { trpcExpressHandler } from "./trpc/express-handler";
import { createAuthConfig, enabledOAuthProviders } from "./auth/auth-config";
import { resolveUser } from "./auth/resolve-user";
import { mountApiExtensions } from "./http-routes";

const CLIENT_DIST = path.resolve(import.meta.dirname, "..", "dist", "client");

export function createApp(): Express {
  const app = express();
  const authConfig = createAuthConfig(db, config);
  app.set("trust proxy", true);
  app.disable("x-powered-by");

  app.use(accessLog(logger, { ignore: (req) => req.url === "/api/health" }));
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "img-src": ["'self'", "data:", "blob:"],
          "connect-src": ["'self'", "ws:", "wss:"],
          "style-src": ["'self'", "'unsafe-inline'"],
        },
      },
    }),
  );

  // tRPC first: the busiest route, so its calls walk no other route's matching.
  const trpcHandler = trpcExpressHandler({
    router: appRouter,
    maxBodySize: 1024 * 1024,
    createContext: async (req, res) => createContextInner({ user: await resolveUser(db, authConfig, req), req, res }),
    // The one log line of an unexpected failure, inside a procedure or around it (context, body).
    onError: ({ error, path: procPath }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, path: procPath }, "tRPC call failed");
    },
  });
  app.use("/trpc", redisRateLimit("write", config.RATE_LIMIT_WRITE_PER_MINUTE, { skip: (req) => req.method !== "POST" }));
  app.use("/trpc", trpcHandler);

  app.get("/api/health", async (_req, res) => {
    const [pg, rd] = await Promise.allSettled([db.$queryRaw`SELECT 1`, redis().ping()]);
    const checks = { postgres: pg.status === "fulfilled" ? "ok" : "down", redis: rd.status === "fulfilled" ? "ok" : "down" };
    const ok = checks.postgres === "ok" && checks.redis === "ok";
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "degraded", checks });
  });
  app.get("/api/auth-providers", (_req, res) => {
    res.json({ credentials: true, oauth: enabledOAuthProviders(config) });
  });

  app.use("/api/auth", redisRateLimit("auth", config.RATE_LIMIT_AUTH_PER_MINUTE, { skip: (req) => req.method === "GET" }));
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
  return app;
}
