// What a tRPC request costs against the rate limits: every call of a batch counts, so a batch is
// no way around a limit. Sign-up shares the sign-in budget (auth); other mutations spend the
// write budget, queries the read budget, and the aggregate queries — each a scan over many runs
// or bets — several permits each. A batch longer than the cap is not counted here: the tRPC
// handler refuses it whole (its maxBatchCalls), before any procedure runs.
import type { IncomingMessage, ServerResponse } from "node:http";
import { spendThen, type RateLimiter } from "../lib/rate-limit";
import { trpcCallPaths } from "./express-handler";

/** Calls that spend the auth budget (sign-in's), always per address like sign-in. */
const AUTH_CALLS = new Set(["user.signUp"]);
/** Permits a call costs, when not one. */
const CALL_COST: Record<string, number> = {
  "run.compare": 10,
  "run.modelStats": 10,
  "betting.leaderboard": 10,
};

export interface CallLimits {
  maxBatchCalls: number;
  auth: RateLimiter;
  write: RateLimiter;
  read: RateLimiter;
  clientKey(req: IncomingMessage): string | Promise<string>;
  /** The caller's address key (rate-limit.ts addressKey), for the calls limited per address. */
  addressKey(req: IncomingMessage): string;
}

export function trpcCallLimits(limits: CallLimits): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const calls = trpcCallPaths(req);
    if (calls.length > limits.maxBatchCalls) return next();
    const reads = req.method === "GET" || req.method === "HEAD";
    let auth = 0;
    let other = 0;
    for (const call of calls) {
      if (AUTH_CALLS.has(call)) auth += 1;
      else other += CALL_COST[call] ?? 1;
    }
    // Callbacks rather than awaits: with the caller known and a lease at hand (nearly every call)
    // the request goes on to tRPC in the same tick, waiting on no promise.
    const spendOther = (err?: unknown) => {
      if (err !== undefined) return next(err);
      if (other === 0) return next();
      spendThen(reads ? limits.read : limits.write, res, limits.clientKey(req), other, next);
    };
    if (auth > 0) spendThen(limits.auth, res, limits.addressKey(req), auth, spendOther);
    else spendOther();
  };
}
