// What an OpenAI-compatible endpoint's refusal means for the credentials pool: a rate limit or an
// exhausted quota cools the credential down and the call moves on to the next one, as does a key
// the endpoint refuses; anything else is about the request itself and goes back to the agent.

/** OpenAI's error codes for "too many requests" and "no credits left" (sent with HTTP 429). */
export const ROTATING_ERROR_CODES = ["insufficient_quota", "rate_limit_exceeded"] as const;

/** The longest cooldown a Retry-After may ask for; beyond it the credential is tried again anyway. */
export const MAX_COOLDOWN_SECONDS = 24 * 60 * 60;

export type LlmRefusal =
  /** 429, 402, or an insufficient_quota / rate_limit_exceeded error: cool down for `cooldownSeconds`, try the next. */
  | { kind: "rate_limited"; code: string; message: string; cooldownSeconds: number }
  /** 401 / 403: the endpoint refuses this credential's key; cool down, try the next. */
  | { kind: "key_refused"; code: string; message: string; cooldownSeconds: number }
  /** Anything else: about this request, or the endpoint's health; not retried elsewhere. */
  | { kind: "other"; message: string };

type Headers = { get(name: string): string | null };

export function classifyLlmRefusal(args: {
  status: number;
  body: string;
  headers: Headers;
  now: Date;
  defaultCooldownSeconds: number;
}): LlmRefusal {
  const { code, type, message } = readError(args.body);
  const cooldownSeconds = retryAfterSeconds(args.headers, args.now) ?? args.defaultCooldownSeconds;
  const rotating = (ROTATING_ERROR_CODES as readonly (string | undefined)[]).some((c) => c !== undefined && (c === code || c === type));
  if (args.status === 429 || args.status === 402 || rotating) {
    return { kind: "rate_limited", code: code ?? type ?? `http_${args.status}`, message, cooldownSeconds };
  }
  if (args.status === 401 || args.status === 403) {
    return { kind: "key_refused", code: code ?? `http_${args.status}`, message, cooldownSeconds: args.defaultCooldownSeconds };
  }
  return { kind: "other", message };
}

/**
 * Seconds the endpoint asks to wait: `retry-after-ms` (OpenAI), else `Retry-After` in seconds or
 * as an HTTP date; at least 1, at most MAX_COOLDOWN_SECONDS; undefined when neither says.
 */
export function retryAfterSeconds(headers: Headers, now: Date): number | undefined {
  let seconds: number | undefined;
  const ms = headers.get("retry-after-ms")?.trim();
  const value = headers.get("retry-after")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) seconds = Number(ms) / 1000;
  else if (value && /^\d+(\.\d+)?$/.test(value)) seconds = Number(value);
  else if (value) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) seconds = (at - now.getTime()) / 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  return Math.min(MAX_COOLDOWN_SECONDS, Math.max(1, Math.ceil(seconds)));
}

/** The error's code, type and message from an OpenAI-style body (the message falls back to the raw text). */
export function readError(text: string): { code?: string; type?: string; message: string } {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown; code?: unknown; type?: unknown } | string; message?: unknown };
    const err = typeof json.error === "object" && json.error !== null ? json.error : undefined;
    const found = {
      ...(typeof err?.code === "string" ? { code: err.code } : {}),
      ...(typeof err?.type === "string" ? { type: err.type } : {}),
    };
    const message = typeof json.error === "string" ? json.error : (err?.message ?? json.message);
    if (typeof message === "string") return { ...found, message };
    if (found.code ?? found.type) return { ...found, message: (found.code ?? found.type)! };
  } catch {
    // not JSON: the raw text below
  }
  return { message: text.trim().slice(0, 300) || "no details" };
}
