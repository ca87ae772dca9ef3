// Rate limits shared by every API process through Redis: a fixed one-minute window per client
// (the caller's key: a signed-in user, else the address), counted in one Redis key per client and
// window. A request may cost several permits (a tRPC batch counts each of its calls).
//
// Permits are claimed from Redis in leases rather than one round trip per request. Each
// process claims, per client, about a quarter of a second of that client's observed rate
// (never more than an eighth of what is left in the window), then spends the lease locally. A
// client calling now and then claims one permit at a time, so low limits are exact across
// processes; a busy client costs one Redis call per lease instead of one per request. Every
// permit is counted in Redis before it is used, so the processes together never exceed a limit;
// the most a lease can cost a client is the unspent part of it when the window ends.
//
// The figure: with a Redis round trip per request (what a store-backed library limiter such as
// express-rate-limit with rate-limit-redis does), that call was ~0.15 ms of the ~0.65 ms of API
// process CPU per bet — the single largest cost of a request — measured by `npm run bench:bets`
// ("CPU per bet … API process", 50 clients, one API process, after the warm-up; commit 22fe22c).
// Leases took it off the per-request path. Re-measure by claiming one permit per request
// (LEASE_HORIZON_MS = 0) and running the benchmark again.
//
// And no promise where none is needed: `spend` answers a plain boolean when the lease covers the
// cost, and spendThen goes on to `next()` in the same tick — with the tRPC call limits keying a
// token caller from the token cache without waiting (userIfKnown), nearly every call passes the
// limits without a microtask. The figure: `npm run bench:bets:instructions` (API instructions per
// bet under callgrind, 50 clients, 5,000 bets of warm-up, 3,000 counted; the two versions side
// by side on the same machine) gave 2.477 M with an async key lookup and two awaits per call
// (commit 00dde66) and 2.294 M with this and the tRPC handler's header reading
// (express-handler.ts); this change alone, 2.275 M → 2.158 M (runs one after the other). Before
// the limits keyed callers by user (commit d44faf4): 2.095 M, against 2.179 M for this, side by
// side. Re-measure by awaiting `spend` in call-limits.ts.
import type { Request, RequestHandler } from "express";
import type { ServerResponse } from "node:http";
import { isIPv6 } from "node:net";
import { sendError } from "./http-errors";
import { redis, redisKey } from "./redis";
import { logger } from "./logger";

const WINDOW_MS = 60_000;
/** A lease covers about this long of a client's recent rate. */
const LEASE_HORIZON_MS = 250;
const MAX_LEASE = 1_000;

// INCRBY the window's counter by the lease asked for; the first claim of a window sets its expiry.
const CLAIM_SCRIPT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

export interface RateLimitOptions {
  /** Requests that are not counted (e.g. reads). */
  skip?: (req: Request) => boolean;
  /** Whose budget a request spends; the client's address unless given. */
  clientKey?: (req: Request) => string | Promise<string>;
}

type Answer = (allowed: boolean) => void;

interface Lane {
  window: number;
  /** Permits claimed in Redis and not yet spent by this process. */
  permits: number;
  /** This client's recent request rate at this process, per second (for the lease size). */
  ratePerSecond: number;
  /** Requests counted since bucketStart (a one-second bucket). */
  bucketCount: number;
  bucketStart: number;
  /** The window's count in Redis as of the last claim (all processes). */
  total: number;
  /** True once Redis refused a claim: the client is over the limit until the window ends. */
  exhausted: boolean;
  claiming: boolean;
  waiting: Array<{ cost: number; answer: Answer }>;
}

export interface RateLimiter {
  readonly name: string;
  readonly perMinute: number;
  /**
   * Spends `cost` permits of the client's window and sets the RateLimit headers; once the window
   * cannot cover them, answers 429 and gives false. A plain boolean when this process's lease
   * covers the cost (no Redis call), so the hot path does not wait on a promise.
   */
  spend(res: ServerResponse, client: string, cost?: number): boolean | Promise<boolean>;
}

export function rateLimiter(name: string, perMinute: number): RateLimiter {
  const prefix = redisKey("rl", name);
  const lanes = new Map<string, Lane>();
  let sweptWindow = 0;
  const policy = `"${name}";q=${perMinute};w=${WINDOW_MS / 1000}`;

  function laneFor(client: string, now: number): Lane {
    const window = Math.floor(now / WINDOW_MS);
    if (window !== sweptWindow) {
      // A new window: forget the clients of earlier ones.
      for (const [key, lane] of lanes) if (lane.window < window && !lane.claiming) lanes.delete(key);
      sweptWindow = window;
    }
    let lane = lanes.get(client);
    if (!lane || lane.window !== window) {
      lane = {
        window,
        permits: 0,
        ratePerSecond: 0,
        bucketCount: 0,
        bucketStart: now,
        total: 0,
        exhausted: false,
        claiming: false,
        waiting: [],
      };
      lanes.set(client, lane);
    }
    return lane;
  }

  function leaseSize(lane: Lane, now: number): number {
    const current = (lane.bucketCount * 1000) / Math.max(now - lane.bucketStart, 250);
    const byRate = Math.ceil((Math.max(lane.ratePerSecond, current) * LEASE_HORIZON_MS) / 1000);
    const cap = Math.max(1, Math.min(MAX_LEASE, Math.floor((perMinute - lane.total) / 8)));
    // What waiting requests need is asked for whole (a batch), the rest of the lease within the cap.
    let needed = -lane.permits;
    for (const w of lane.waiting) needed += w.cost;
    return Math.max(Math.min(Math.max(byRate, 1), cap), needed);
  }

  function claim(client: string, lane: Lane): void {
    lane.claiming = true;
    const asked = leaseSize(lane, Date.now());
    const ttl = (lane.window + 1) * WINDOW_MS - Date.now() + 5_000;
    (redis().eval(CLAIM_SCRIPT, 1, `${prefix}:${client}:${lane.window}`, asked, ttl) as Promise<number>).then(
      (total) => {
        lane.claiming = false;
        lane.total = total;
        const granted = Math.max(0, Math.min(asked, perMinute - (total - asked)));
        lane.permits += granted;
        if (granted < asked) lane.exhausted = true;
        while (lane.waiting.length > 0 && lane.permits >= lane.waiting[0]!.cost) {
          const next = lane.waiting.shift()!;
          lane.permits -= next.cost;
          next.answer(true);
        }
        if (lane.waiting.length > 0) {
          if (lane.exhausted) for (const w of lane.waiting.splice(0)) w.answer(false);
          else claim(client, lane);
        }
      },
      (err: unknown) => {
        // If Redis is down, serve the requests rather than failing every call.
        lane.claiming = false;
        logger.warn({ err, limiter: name }, "rate limit: Redis unavailable, letting requests through");
        for (const w of lane.waiting.splice(0)) w.answer(true);
      },
    );
  }

  /** The client's lane, with `cost` permits taken from it, or what it waits for; false if refused. */
  function admit(client: string, cost: number): Lane | false | Promise<Lane | false> {
    const now = Date.now();
    const lane = laneFor(client, now);
    if (now - lane.bucketStart >= 1_000) {
      lane.ratePerSecond = (lane.bucketCount * 1000) / (now - lane.bucketStart);
      lane.bucketStart = now;
      lane.bucketCount = 0;
    }
    lane.bucketCount += cost;
    if (lane.permits >= cost) {
      lane.permits -= cost;
      return lane;
    }
    if (lane.exhausted || cost > perMinute) return false;
    return new Promise<Lane | false>((resolve) => {
      lane.waiting.push({ cost, answer: (allowed) => resolve(allowed && lane) });
      if (!lane.claiming) claim(client, lane);
    });
  }

  /** The RateLimit headers from the lane admit used (none: the client was refused before any claim); 429 on refusal. */
  function respond(res: ServerResponse, lane: Lane | false, client: string): boolean {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const counted = lane || lanes.get(client);
    const remaining = counted ? Math.max(0, perMinute - counted.total + counted.permits) : perMinute;
    const reset = Math.ceil(((window + 1) * WINDOW_MS - now) / 1000);
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `"${name}";r=${remaining};t=${reset}`);
    if (lane) return true;
    res.setHeader("Retry-After", String(reset));
    sendError(res, 429, "RATE_LIMITED", `too many requests; limit is ${perMinute} per minute, try again in ${reset} s`);
    return false;
  }

  function spend(res: ServerResponse, client: string, cost = 1): boolean | Promise<boolean> {
    const verdict = admit(client, cost);
    if (verdict instanceof Promise) return verdict.then((lane) => respond(res, lane, client));
    return respond(res, verdict, client);
  }

  return { name, perMinute, spend };
}

/**
 * Spends `cost` of the client's budget, then calls `next()`; a refusal has answered 429 and calls
 * nothing; a failure goes to `next(err)`. It waits for nothing when the client's key and this
 * process's lease are at hand (the common case: see the header's figure).
 */
export function spendThen(
  limiter: RateLimiter,
  res: ServerResponse,
  client: string | Promise<string>,
  cost: number,
  next: (err?: unknown) => void,
): void {
  if (typeof client !== "string") {
    client.then((key) => spendThen(limiter, res, key, cost, next), next);
    return;
  }
  const verdict = limiter.spend(res, client, cost);
  if (verdict === true) next();
  else if (verdict !== false) verdict.then((allowed) => allowed && next(), next);
}

/** Express middleware: each request not skipped spends one permit of its client's budget. */
export function redisRateLimit(limiter: RateLimiter, opts: RateLimitOptions = {}): RequestHandler {
  const keyOf = opts.clientKey ?? addressKey;
  return (req, res, next) => {
    if (opts.skip?.(req)) return next();
    spendThen(limiter, res, keyOf(req), 1, next);
  };
}

/** A client by its address (IPv6 per /64), as Express sees it under the trust proxy setting. */
export function addressKey(req: Request): string {
  const ip = req.ip ?? "0.0.0.0";
  return `ip:${isIPv6(ip) ? ipv6Prefix(ip) : ip}`;
}

/** The first four groups of an IPv6 address (its /64), or the IPv4 address it maps. */
export function ipv6Prefix(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
