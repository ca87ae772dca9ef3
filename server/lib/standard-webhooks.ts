// Standard Webhooks (standardwebhooks.com): signing and verifying HTTP webhooks.
// - headers: `webhook-id` (unique per message, the same on every retry), `webhook-timestamp`
//   (integer seconds since the epoch), `webhook-signature`;
// - the signature is `v1,` + base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)) over the raw
//   body bytes; several space-separated signatures may be sent (key rotation) and one valid suffices;
// - the secret is `whsec_` + base64 of the key bytes;
// - a timestamp more than five minutes from now, either way, is refused (replays of old messages);
// - comparisons are constant-time.
// Replays of a fresh message are the receiver's to stop, by remembering ids it has acted on.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";

export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString("base64url")}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

function signature(secret: string, id: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The headers for a message: one `v1` signature per secret (several while keys rotate). */
export function signWebhook(input: { secrets: string[]; id: string; timestamp: Date; body: Buffer | string }): WebhookHeaders {
  const timestamp = String(Math.floor(input.timestamp.getTime() / 1000));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": timestamp,
    "webhook-signature": input.secrets.map((s) => `v1,${signature(s, input.id, timestamp, input.body).toString("base64")}`).join(" "),
  };
}

export type WebhookVerification =
  | { ok: true; id: string; timestamp: Date }
  | { ok: false; reason: "missing-headers" | "bad-timestamp" | "stale" | "future" | "bad-signature" };

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Checks a received message against any of the secrets; `now` is the receiver's clock. */
export function verifyWebhook(input: {
  secrets: string[];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | string;
  now: Date;
  toleranceSeconds?: number;
}): WebhookVerification {
  const id = header(input.headers, "webhook-id");
  const ts = header(input.headers, "webhook-timestamp");
  const sigs = header(input.headers, "webhook-signature");
  if (!id || !ts || !sigs) return { ok: false, reason: "missing-headers" };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: "bad-timestamp" };
  const seconds = Number(ts);
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (seconds < nowSeconds - tolerance) return { ok: false, reason: "stale" };
  if (seconds > nowSeconds + tolerance) return { ok: false, reason: "future" };
  const offered = sigs
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of input.secrets) {
    const expected = signature(secret, id, ts, input.body);
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) {
      return { ok: true, id, timestamp: new Date(seconds * 1000) };
    }
  }
  return { ok: false, reason: "bad-signature" };
}
