// Per-account sign-in backoff: after MAX_FAILURES wrong passwords for one account within
// FAILURE_WINDOW_MS, that account's sign-ins are refused for LOCK_MS, whatever the address they
// come from (the per-address rate limit cannot stop a guesser spread over many addresses). The
// counters live in Redis, so every API process sees the same lock. If Redis is down, sign-in
// falls back to the rate limits alone rather than refusing everyone.
import { redis, redisKey } from "../lib/redis";
import { logger } from "../lib/logger";
import { hashToken } from "../lib/passwords";

export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

// Counts a failure; the one that reaches the maximum replaces the count with the lock.
const FAILURE_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return -1
end
return n`;

// Keyed by a hash: Redis holds no email addresses.
const keys = (email: string) => {
  const account = hashToken(email.toLowerCase()).slice(0, 32);
  return { failures: redisKey("signin", "failures", account), lock: redisKey("signin", "lock", account) };
};

/** Milliseconds the account's sign-ins stay refused; 0 when they are not. */
export async function signInLockedFor(email: string): Promise<number> {
  try {
    return Math.max(0, await redis().pttl(keys(email).lock));
  } catch (err) {
    logger.warn({ err }, "sign-in backoff: Redis unavailable, not checking the account lock");
    return 0;
  }
}

export async function recordSignInFailure(email: string): Promise<void> {
  const k = keys(email);
  try {
    const n = (await redis().eval(FAILURE_SCRIPT, 2, k.failures, k.lock, FAILURE_WINDOW_MS, MAX_FAILURES, LOCK_MS)) as number;
    if (n === -1) {
      logger.warn(
        { email, failures: MAX_FAILURES, lockMinutes: LOCK_MS / 60_000 },
        "sign-in: too many wrong passwords, account sign-ins refused for a while",
      );
    }
  } catch (err) {
    logger.warn({ err }, "sign-in backoff: Redis unavailable, failure not counted");
  }
}

export async function clearSignInFailures(email: string): Promise<void> {
  await redis()
    .del(keys(email).failures)
    .catch(() => {
      /* the count expires on its own */
    });
}
