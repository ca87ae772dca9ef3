// Which refusals move a call to the next credential, and for how long the refused one rests.
import { describe, expect, it } from "vitest";
import { classifyLlmRefusal, MAX_COOLDOWN_SECONDS, retryAfterSeconds } from "./refusals";

const now = new Date("2026-12-02T10:00:00Z");
const headers = (h: Record<string, string> = {}) => new Headers(h);
const body = (code: string | null, type = "invalid_request_error") => JSON.stringify({ error: { message: `msg ${code}`, type, code } });
const classify = (status: number, text: string, h: Record<string, string> = {}) =>
  classifyLlmRefusal({ status, body: text, headers: headers(h), now, defaultCooldownSeconds: 60 });

describe("classifyLlmRefusal", () => {
  it.each([
    [429, body("insufficient_quota", "insufficient_quota"), "rate_limited", "insufficient_quota"],
    [429, body("rate_limit_exceeded", "requests"), "rate_limited", "rate_limit_exceeded"],
    [429, "Too Many Requests", "rate_limited", "http_429"],
    [402, body(null, "payment_required"), "rate_limited", "payment_required"],
    // A quota error some proxies send with another status.
    [403, body(null, "insufficient_quota"), "rate_limited", "insufficient_quota"],
    [400, body("insufficient_quota"), "rate_limited", "insufficient_quota"],
    [401, body("invalid_api_key"), "key_refused", "invalid_api_key"],
    [403, "forbidden", "key_refused", "http_403"],
  ])("HTTP %i %s → %s (%s)", (status, text, kind, code) => {
    expect(classify(status, text)).toMatchObject({ kind, code, cooldownSeconds: 60 });
  });

  it.each([
    [400, body("context_length_exceeded")],
    [404, body("model_not_found")],
    [500, "upstream exploded"],
    [503, body(null, "server_error")],
  ])("HTTP %i is about the request or the endpoint, not the credential", (status, text) => {
    expect(classify(status, text).kind).toBe("other");
  });

  it("takes the cooldown from Retry-After for a rate limit, never for a refused key", () => {
    expect(classify(429, body("rate_limit_exceeded"), { "retry-after": "120" })).toMatchObject({ cooldownSeconds: 120 });
    expect(classify(401, body("invalid_api_key"), { "retry-after": "120" })).toMatchObject({ cooldownSeconds: 60 });
  });
});

describe("retryAfterSeconds", () => {
  it("reads seconds, milliseconds and HTTP dates, within bounds", () => {
    expect(retryAfterSeconds(headers({ "retry-after": "20" }), now)).toBe(20);
    expect(retryAfterSeconds(headers({ "retry-after": "0.2" }), now)).toBe(1);
    expect(retryAfterSeconds(headers({ "retry-after-ms": "1500", "retry-after": "99" }), now)).toBe(2);
    expect(retryAfterSeconds(headers({ "retry-after": "Wed, 02 Dec 2026 10:05:00 GMT" }), now)).toBe(300);
    expect(retryAfterSeconds(headers({ "retry-after": "Wed, 02 Dec 2026 09:00:00 GMT" }), now)).toBe(1);
    expect(retryAfterSeconds(headers({ "retry-after": "9999999" }), now)).toBe(MAX_COOLDOWN_SECONDS);
    expect(retryAfterSeconds(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterSeconds(headers(), now)).toBeUndefined();
  });
});
