// Wakes long-polls across processes: the process that stores something a poller waits for
// publishes on a Redis channel; whichever process holds the long-poll wakes it. Redis only makes
// the wake-up prompt: the data lives in Postgres, and a long-poll that cannot count on a signal
// (Redis down or slow to subscribe) checks back every second instead, so pollers keep getting
// their work through a Redis outage. Used for agents' prompts (prompt-signal.ts) and external
// agents' tasks (the agent API's GET /tasks/next).
import type { Redis } from "ioredis";
import { createRedis, redisKey } from "../lib/redis";
import { tryRedis } from "./bridge-redis";

const SUBSCRIBE_DEADLINE_MS = 500;
const POLL_WITHOUT_SIGNAL_MS = 1_000;

export interface WakeSignal {
  /** Wakes every long-poll waiting on `key`, in any process. */
  signal(key: string): Promise<void>;
  /**
   * Registers interest before the caller checks for work (so work stored in between is not
   * missed), and returns a promise that resolves on a signal, the timeout, or abort. Null while
   * the process shuts down: the caller answers with what it has.
   */
  listen(key: string, timeoutMs: number, signal: AbortSignal): Promise<{ woken: Promise<void>; done: () => Promise<void> } | null>;
  /** Shutdown: every held long-poll answers now, new ones at once. */
  release(): void;
  close(): Promise<void>;
}

const all = new Set<WakeSignal>();

export function createWakeSignal(topic: string): WakeSignal {
  const channel = (key: string) => redisKey(topic, key);
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: Redis | undefined;
  let draining = false;

  function sub(): Redis {
    if (!subscriber) {
      subscriber = createRedis("subscriber");
      subscriber.on("message", (ch: string) => {
        for (const wake of waiters.get(ch) ?? []) wake();
      });
    }
    return subscriber;
  }

  /** True once the subscription is confirmed, false if it did not happen within the deadline. */
  async function subscribe(ch: string): Promise<boolean> {
    const s = sub();
    // Not awaited when offline: ioredis sends it on reconnect (and re-subscribes by itself).
    const subscribed = s.subscribe(ch).then(
      () => true,
      () => false,
    );
    if (s.status !== "ready") return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_DEADLINE_MS)));
    const ok = await Promise.race([subscribed, late]);
    clearTimeout(timer);
    return ok;
  }

  const wakeSignal: WakeSignal = {
    async signal(key) {
      await tryRedis(`${topic} signal`, (redis) => redis.publish(channel(key), "1"));
    },
    async listen(key, timeoutMs, signal) {
      if (draining) return null;
      const ch = channel(key);
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      let set = waiters.get(ch);
      let listening = subscriber?.status === "ready";
      if (!set) {
        set = new Set();
        waiters.set(ch, set);
        listening = await subscribe(ch);
      }
      set.add(wake);
      const timer = setTimeout(wake, listening ? timeoutMs : Math.min(timeoutMs, POLL_WITHOUT_SIGNAL_MS));
      const onAbort = () => wake();
      signal.addEventListener("abort", onAbort, { once: true });
      const done = async () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        set.delete(wake);
        if (set.size === 0 && waiters.get(ch) === set) {
          waiters.delete(ch);
          // Not awaited: while Redis is down it would wait for the reconnect.
          void sub()
            .unsubscribe(ch)
            .catch(() => {});
        }
      };
      return { woken, done };
    },
    release() {
      draining = true;
      for (const set of waiters.values()) for (const wake of set) wake();
    },
    async close() {
      wakeSignal.release();
      waiters.clear();
      subscriber = undefined;
      draining = false;
    },
  };
  all.add(wakeSignal);
  return wakeSignal;
}

/** Shutdown: every long-poll of every signal answers now. */
export function releaseAllLongPolls(): void {
  for (const s of all) s.release();
}

export async function closeAllWakeSignals(): Promise<void> {
  await Promise.all([...all].map((s) => s.close()));
}
