// Redis for the bridge's helpers (idempotency keys, the event-rate window, prompt wake-ups).
// None of them is worth failing an agent's call for: while Redis is down they step aside and
// the call is served from Postgres alone. They must find out at once, not after ioredis has
// queued the command through its reconnect attempts: this connection has no offline queue (a
// command while disconnected is rejected immediately) and every call has a short deadline (a
// Redis that hangs rather than refuses).
import { once } from "node:events";
import type { Redis } from "ioredis";
import { createRedis } from "../lib/redis";
import { logger } from "../lib/logger";

const DEADLINE_MS = 500;
const WARN_EVERY_MS = 10_000;

let client: Redis | undefined;
let firstReady: Promise<unknown> | undefined;
let lastWarnAt = 0;

async function bridgeRedis(): Promise<Redis> {
  if (!client || client.status === "end") {
    client = createRedis("producer");
    firstReady = once(client, "ready");
    firstReady.catch(() => {});
  }
  // Only the first connect is waited for (within the deadline); a reconnect after an outage
  // is not: commands are refused meanwhile and the callers step aside.
  if (client.status === "connecting" || client.status === "connect") await firstReady;
  return client;
}

/** Runs `fn` on Redis; `null` when Redis is unavailable or too slow (the caller steps aside). */
export async function tryRedis<T>(what: string, fn: (redis: Redis) => Promise<T>): Promise<{ value: T } | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    });
    return { value: await Promise.race([bridgeRedis().then(fn), deadline]) };
  } catch (err) {
    if (Date.now() - lastWarnAt > WARN_EVERY_MS) {
      lastWarnAt = Date.now();
      logger.warn({ err, what }, "bridge: Redis unavailable, serving without it");
    }
    return null;
  } finally {
    clearTimeout(timer);
  }
}
