// Wakes long-polling agents when a prompt is submitted, across processes: the API process that
// stores a prompt publishes on Redis; whichever process holds the agent's long-poll wakes it.
import type { Redis } from "ioredis";
import { createRedis, redis, redisKey } from "../lib/redis";

const channel = (sandboxId: string) => redisKey("prompts", sandboxId);
const waiters = new Map<string, Set<() => void>>();
let subscriber: Redis | undefined;

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
  await redis().publish(channel(sandboxId), "1").catch(() => {});
}

/**
 * Registers interest before the caller checks for prompts (so one submitted in between is not
 * missed), and returns a promise that resolves on a signal, the timeout, or abort.
 */
export async function listenForPrompt(sandboxId: string, timeoutMs: number, signal: AbortSignal) {
  const ch = channel(sandboxId);
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  let set = waiters.get(ch);
  if (!set) {
    set = new Set();
    waiters.set(ch, set);
    await sub().subscribe(ch);
  }
  set.add(wake);
  const timer = setTimeout(wake, timeoutMs);
  const onAbort = () => wake();
  signal.addEventListener("abort", onAbort, { once: true });
  const done = async () => {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    set.delete(wake);
    if (set.size === 0 && waiters.get(ch) === set) {
      waiters.delete(ch);
      await sub().unsubscribe(ch).catch(() => {});
    }
  };
  return { woken, done };
}

export async function closePromptSignals(): Promise<void> {
  waiters.clear();
  subscriber = undefined;
}
