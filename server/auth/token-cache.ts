// Personal API tokens are checked on every scripted call, and a busy script makes hundreds a
// second: a database round trip each would cost more than the work of most calls (bench:bets).
// So each API process remembers the users its tokens resolved to, for at most TTL_MS, and only
// while it is subscribed to the invalidation channel: revoking a token or changing a role
// (forgetTokenUsers) clears every process's memory at once. If that subscription drops, the
// memory is cleared and not used until it is back, so a missed message can't keep a revoked
// token alive; TTL_MS bounds what a message lost any other way could do. A token that expires
// is forgotten at its expiry, not TTL_MS later. External agents' `pk_` keys are remembered the
// same way (rememberedLookups, bridge/agent-api/auth.ts): revoking a key or archiving an agent
// clears the memory through the same channel.
import type { Redis } from "ioredis";
import type pg from "pg";
import { createRedis, redis, redisKey } from "../lib/redis";
import { userForApiTokenHash } from "../domain/users-sql";
import { hashToken } from "../lib/passwords";
import type { AuthUser } from "./resolve-user";

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/** Every process-local memory of credentials, all cleared by one invalidation. */
const memories = new Set<Map<string, unknown>>();
// Bumped by every invalidation: a lookup that started before one must not store its answer.
let generation = 0;
let listening = false;
let subscriber: Redis | undefined;

const channel = () => redisKey("auth", "changed");

function forgetLocally(): void {
  generation += 1;
  for (const m of memories) m.clear();
}

function listen(): void {
  if (subscriber) return;
  const sub = createRedis("subscriber");
  subscriber = sub;
  sub.on("message", forgetLocally);
  // Subscriptions are restored after a reconnect; anything published meanwhile was missed.
  sub.on("ready", () => {
    forgetLocally();
    listening = true;
  });
  sub.on("close", () => {
    listening = false;
    forgetLocally();
  });
  sub.once("end", () => {
    if (subscriber === sub) subscriber = undefined;
  });
  sub.subscribe(channel()).catch(() => {
    /* not listening: lookups go to the database until the subscription is up */
  });
}

export interface RememberedLookups<T> {
  /** What `hash` resolved to, if this process remembers it (see above), without waiting. */
  get(hash: string): T | undefined;
  /** What `hash` resolves to: remembered, else looked up (null: unknown, revoked…) and remembered until `expiresAt` at most. */
  lookup(hash: string, find: () => Promise<{ value: T; expiresAt?: number | null } | null>): Promise<T | null>;
}

/** A process-local memory of what credential hashes resolve to, cleared with every other on invalidation. */
export function rememberedLookups<T>(): RememberedLookups<T> {
  const remembered = new Map<string, { value: T; expires: number }>();
  memories.add(remembered);
  const get = (hash: string) => {
    listen();
    const hit = remembered.get(hash);
    return listening && hit && hit.expires > Date.now() ? hit.value : undefined;
  };
  return {
    get,
    async lookup(hash, find) {
      const hit = get(hash);
      if (hit !== undefined) return hit;
      const started = generation;
      const found = await find();
      if (!found) return null;
      if (listening && started === generation) {
        if (remembered.size >= MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
        remembered.set(hash, { value: found.value, expires: Math.min(Date.now() + TTL_MS, found.expiresAt ?? Infinity) });
      }
      return found.value;
    },
  };
}

const tokenUsers = rememberedLookups<AuthUser>();

/** The user of a token this process remembers (see above), without waiting; undefined if it must be looked up. */
export function rememberedTokenUser(token: string): AuthUser | undefined {
  return tokenUsers.get(hashToken(token));
}

/** The user a personal API token belongs to; null for unknown, revoked or expired tokens. */
export async function userForToken(pool: pg.Pool, token: string): Promise<AuthUser | null> {
  const hash = hashToken(token);
  return tokenUsers.lookup(hash, async () => {
    const found = await userForApiTokenHash(pool, hash);
    return found && { value: { id: found.id, role: found.role, viaApiToken: true }, expiresAt: found.expiresAt };
  });
}

/** Resolves once this process listens for invalidations (and so remembers tokens). */
export async function tokenCacheListening(): Promise<void> {
  listen();
  while (!listening) await new Promise((r) => setTimeout(r, 10));
}

/** After a token or agent key was revoked, a role changed or an agent archived (committed): every API process forgets. */
export async function forgetTokenUsers(): Promise<void> {
  forgetLocally();
  await redis()
    .publish(channel(), "1")
    .catch(() => {
      /* Redis down: the other processes' subscriptions dropped too, so they cleared themselves */
    });
}

export async function closeTokenCache(): Promise<void> {
  const sub = subscriber;
  subscriber = undefined;
  listening = false;
  forgetLocally();
  await sub?.quit().catch(() => sub.disconnect());
}
