// Idempotency-Key support for bridge POSTs: the SDK repeats the same key when it retries after
// a lost response, so a retried credit spend or event batch is answered from the first
// response instead of being applied twice. Stored in Redis (shared by every API process).
import type { NextFunction, Request, Response } from "express";
import { BRIDGE_IDEMPOTENCY_HEADER } from "@shared/bridge";
import { redis, redisKey } from "../lib/redis";
import { sendError } from "../lib/http-errors";

const TTL_SECONDS = 600;
const PENDING = "pending";

export function bridgeIdempotency() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get(BRIDGE_IDEMPOTENCY_HEADER);
    if (req.method !== "POST" || !key || !req.bridgeRun) return next();
    if (key.length > 200) return sendError(res, 400, "BAD_REQUEST", `${BRIDGE_IDEMPOTENCY_HEADER} must be at most 200 characters`, BRIDGE_IDEMPOTENCY_HEADER);
    const storeKey = redisKey("bridge-idem", req.bridgeRun.id, key);
    let claimed: string | null;
    try {
      claimed = await redis().set(storeKey, PENDING, "EX", TTL_SECONDS, "NX");
    } catch {
      return next(); // Redis unavailable: serve without replay protection rather than fail
    }
    if (!claimed) {
      const stored = await redis().get(storeKey);
      if (stored && stored !== PENDING) {
        const { status, body } = JSON.parse(stored) as { status: number; body: unknown };
        res.setHeader("Idempotent-Replayed", "true");
        return res.status(status).json(body);
      }
      return sendError(res, 409, "CONFLICT", `a request with this ${BRIDGE_IDEMPOTENCY_HEADER} is still being processed`);
    }
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      // Remember answers the client should see again; forget failures so a retry can succeed.
      if (res.statusCode < 500) void redis().set(storeKey, JSON.stringify({ status: res.statusCode, body }), "EX", TTL_SECONDS).catch(() => {});
      else void redis().del(storeKey).catch(() => {});
      return json(body);
    };
    next();
  };
}
