// Per-run cap on events per second (BRIDGE_EVENTS_PER_SECOND), so one chatty or runaway agent
// cannot flood the database and every watcher of its run. A one-second window counted in Redis
// (shared by every API process); a batch is admitted whole when the window still has room, so
// a full batch always gets through an idle second. While Redis is down the cap steps aside.
import { redisKey } from "../lib/redis";
import { tryRedis } from "./bridge-redis";

export type EventAdmission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

export async function admitEvents(runId: string, count: number, perSecond: number): Promise<EventAdmission> {
  const second = Math.floor(Date.now() / 1000);
  const key = redisKey("bridge-events", runId, String(second));
  const counted = await tryRedis("event rate", async (redis) => {
    const [[, total]] = (await redis.multi().incrby(key, count).expire(key, 2).exec()) as [[unknown, number], unknown];
    if (total - count < perSecond) return true;
    await redis.decrby(key, count);
    return false;
  });
  if (!counted || counted.value) return { admitted: true };
  return { admitted: false, retryAfterSeconds: 1 };
}
