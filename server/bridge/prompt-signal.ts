// Wakes long-polling agents when a prompt is submitted, across processes: the API process that
// stores a prompt publishes on Redis; whichever process holds the agent's long-poll wakes it.
// Redis only makes the wake-up prompt: prompts live in Postgres, and a long-poll that cannot
// count on a signal (Redis down or slow to subscribe) checks back every second instead, so
// agents keep getting their prompts through a Redis outage.
import type { Redis } from "ioredis";
import { createRedis, redisKey } from "../lib/redis";
import { tryRedis } from "./bridge-redis";

const channel = (sandboxId: string) => redisKey("prompts", sandboxId);
const waiters = new Map<string, Set<() => void>>();
const SUBSCRIBE_DEADLINE_MS = 500;
const POLL_WITHOUT_SIGNAL_MS = 1_000;
let subscriber: Redis | undefined;
/** Set while the API shuts down: long-polls answer at once instead of holding the close. */
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

export async function signalPrompt(sandboxId: string): Promise<void> {
  await tryRedis("prompt signal", (redis) => redis.publish(channel(sandboxId), "1"));
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

/**
 * Registers interest before the caller checks for prompts (so one submitted in between is not
 * missed), and returns a promise that resolves on a signal, the timeout, or abort. Null while
 * the process shuts down: the caller answers with what it has.
 */
export async function listenForPrompt(sandboxId: string, timeoutMs: number, signal: AbortSignal) {
  if (draining) return null;
  const ch = channel(sandboxId);
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
}

/** Shutdown: every held long-poll answers now (with whatever prompts there are), new ones at once. */
export function releasePromptPolls(): void {
  draining = true;
  for (const set of waiters.values()) for (const wake of set) wake();
}

export async function closePromptSignals(): Promise<void> {
  releasePromptPolls();
  waiters.clear();
  subscriber = undefined;
  draining = false;
}
