import { Redis, type RedisOptions } from "ioredis";
import { config } from "../config";

// Separate connections by use, as BullMQ recommends:
// - "worker": blocking commands, must retry forever (maxRetriesPerRequest: null);
// - "producer": used from HTTP handlers, fails fast instead of queueing commands while offline;
// - "subscriber": pub/sub only;
// - "general": everything else (rate limits, live-message publishing), auto-pipelined.
export type RedisUse = "worker" | "producer" | "subscriber" | "general";

const opened = new Set<Redis>();

export function createRedis(use: RedisUse, url = config.REDIS_URL): Redis {
  const options: RedisOptions = { lazyConnect: false, connectionName: `paddock:${use}` };
  if (use === "worker" || use === "subscriber") options.maxRetriesPerRequest = null;
  // Commands issued in the same tick go out in one write: a bet's rate-limit check and its
  // live messages, from dozens of concurrent requests, cost a few syscalls instead of dozens.
  if (use === "general") options.enableAutoPipelining = true;
  if (use === "producer") {
    options.enableOfflineQueue = false;
    options.maxRetriesPerRequest = 1;
  }
  const client = new Redis(url, options);
  client.on("error", () => {
    /* reported by health checks and callers; keeps ioredis from crashing the process */
  });
  opened.add(client);
  client.once("end", () => opened.delete(client));
  return client;
}

let shared: Redis | undefined;
/** The general-purpose connection (rate limits, small reads and writes). */
export function redis(): Redis {
  shared ??= createRedis("general");
  return shared;
}

/** Prefixes a Paddock Redis key. */
export function redisKey(...parts: string[]): string {
  return [config.REDIS_PREFIX, ...parts].join(":");
}

export async function closeAllRedis(): Promise<void> {
  await Promise.all([...opened].map((c) => c.quit().catch(() => c.disconnect())));
  opened.clear();
  shared = undefined;
}
