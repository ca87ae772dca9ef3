// Idempotency-Key support for bridge POSTs: the SDK repeats the same key when it retries after
// a lost response (an API restart, a dropped connection), so a retried credit spend or event
// batch is answered from the first response instead of being applied twice. Stored in Redis
// (shared by every API process).
//
// - A key is bound to the endpoint and a hash of the body: the same key on another endpoint or
//   with another body is a client bug, answered 422 rather than with someone else's response.
//   (Multipart uploads are bound to the endpoint only: their boundary differs per attempt.)
// - While the first request runs, the key is "pending" for at most PENDING_SECONDS: a retry is
//   told 409 REQUEST_IN_PROGRESS with Retry-After, and a request that died with its process
//   blocks retries only that long.
// - While Redis is down the bridge serves without replay protection rather than fail the agent.
import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { BRIDGE_IDEMPOTENCY_HEADER } from "@shared/bridge";
import { redisKey } from "../lib/redis";
import { sendError } from "../lib/http-errors";
import { tryRedis } from "./bridge-redis";

const DONE_SECONDS = 600;
export const PENDING_SECONDS = 30;

type Stored = { fp: string; state: "pending" } | { fp: string; state: "done"; status: number; body: unknown };

export function idempotencyStoreKey(runId: string, key: string): string {
  return redisKey("bridge-idem", runId, key);
}

/** The endpoint and body a key is bound to. Runs after the JSON body parser. */
export function requestFingerprint(req: Request): string {
  const hash = createHash("sha256").update(`${req.method} ${req.baseUrl}${req.path}\n`);
  if (req.is("application/json")) hash.update(JSON.stringify(req.body ?? null));
  return hash.digest("base64url");
}

export function bridgeIdempotency() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get(BRIDGE_IDEMPOTENCY_HEADER);
    if (req.method !== "POST" || !key || !req.bridgeRun) return next();
    if (key.length > 200)
      return sendError(res, 400, "BAD_REQUEST", `${BRIDGE_IDEMPOTENCY_HEADER} must be at most 200 characters`, BRIDGE_IDEMPOTENCY_HEADER);
    const storeKey = idempotencyStoreKey(req.bridgeRun.id, key);
    const fp = requestFingerprint(req);
    const pending: Stored = { fp, state: "pending" };

    const answer = await tryRedis("idempotency claim", async (redis) => {
      if (await redis.set(storeKey, JSON.stringify(pending), "EX", PENDING_SECONDS, "NX")) return { claimed: true as const };
      const [stored, ttl] = await Promise.all([redis.get(storeKey), redis.ttl(storeKey)]);
      return { claimed: false as const, stored: stored ? (JSON.parse(stored) as Stored) : null, ttl };
    });
    if (!answer) return next(); // Redis unavailable: serve without replay protection rather than fail
    const claim = answer.value;

    if (!claim.claimed) {
      const { stored, ttl } = claim;
      if (stored && stored.fp !== fp) {
        return sendError(
          res,
          422,
          "IDEMPOTENCY_KEY_REUSED",
          `this ${BRIDGE_IDEMPOTENCY_HEADER} was used for a different request (another endpoint or body); send a new key for each request`,
          BRIDGE_IDEMPOTENCY_HEADER,
        );
      }
      if (stored?.state === "done") {
        res.setHeader("Idempotent-Replayed", "true");
        return res.status(stored.status).json(stored.body);
      }
      // Pending, or expired just now: either way the caller should come back shortly.
      res.setHeader("Retry-After", String(Math.max(1, Math.min(ttl > 0 ? ttl : 1, 5))));
      return sendError(
        res,
        409,
        "REQUEST_IN_PROGRESS",
        `a request with this ${BRIDGE_IDEMPOTENCY_HEADER} is still being processed; retry shortly`,
      );
    }

    // Every answer goes through res.json, the error handler's included; a request that never
    // answers (its process died) holds the key only for the pending window.
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      // Remember answers the client should see again; forget failures so a retry can succeed.
      const done: Stored = { fp, state: "done", status: res.statusCode, body };
      void tryRedis("idempotency store", async (redis) => {
        if (res.statusCode < 500) await redis.set(storeKey, JSON.stringify(done), "EX", DONE_SECONDS);
        else await redis.del(storeKey);
      });
      return json(body);
    };
    next();
  };
}
