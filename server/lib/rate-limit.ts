// Rate limits shared by every API process through Redis (no per-process counters).
import { rateLimit, ipKeyGenerator, type Options } from "express-rate-limit";
import { RedisStore, type RedisReply } from "rate-limit-redis";
import { redis, redisKey } from "./redis";
import { bearerToken } from "../auth/resolve-user";
import { createHash } from "node:crypto";

export function redisRateLimit(name: string, perMinute: number, opts: Partial<Options> = {}) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // Authenticated scripts are limited per token, browsers per address.
    keyGenerator: (req) => {
      const token = bearerToken(req.headers.authorization);
      if (token) return `t:${createHash("sha256").update(token).digest("hex").slice(0, 24)}`;
      return `ip:${ipKeyGenerator(req.ip ?? "0.0.0.0")}`;
    },
    store: new RedisStore({
      prefix: redisKey("rl", name) + ":",
      sendCommand: (command: string, ...args: string[]) => redis().call(command, ...args) as Promise<RedisReply>,
    }),
    // If Redis is down, serve the request rather than failing every call.
    passOnStoreError: true,
    handler: (_req, res) => {
      res.status(429).json({ error: { code: "RATE_LIMITED", message: `too many requests; limit is ${perMinute} per minute` } });
    },
    ...opts,
  });
}
