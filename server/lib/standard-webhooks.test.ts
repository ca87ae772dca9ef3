// The Standard Webhooks module against the spec's own example and a table of cases.
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { newWebhookSecret, signWebhook, verifyWebhook } from "./standard-webhooks";

describe("Standard Webhooks", () => {
  it("matches the specification's example signature", () => {
    // From the Standard Webhooks specification (and its reference libraries' tests).
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = '{"test": 2432232314}';
    const headers = signWebhook({ secrets: [secret], id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: new Date(1614265330 * 1000), body });
    expect(headers["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  const secret = newWebhookSecret();
  const other = newWebhookSecret();
  const now = new Date("2026-12-02T12:00:00Z");
  const body = Buffer.from(JSON.stringify({ taskId: "t1", outcome: "succeeded", summary: "done" }));
  const signed = (over: { secrets?: string[]; at?: Date; id?: string } = {}) =>
    signWebhook({ secrets: over.secrets ?? [secret], id: over.id ?? "msg_1", timestamp: over.at ?? now, body }) as unknown as Record<
      string,
      string
    >;
  const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
  const without = (h: Record<string, string>, name: string) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));
  const foreign = (() => {
    const h = signed();
    const sig = createHmac("sha256", Buffer.from(other.slice(6), "base64"))
      .update(`msg_1.${h["webhook-timestamp"]}.`)
      .update(body)
      .digest("base64");
    return `v1,${sig}`;
  })();

  it.each([
    { name: "valid", headers: signed(), body, ok: true },
    { name: "several signatures, one valid (rotation)", headers: signed({ secrets: [other, secret] }), body, ok: true },
    {
      name: "a valid one among junk and other versions",
      headers: { ...signed(), "webhook-signature": `v2,abc v1,Zm9v ${signed()["webhook-signature"]}` },
      body,
      ok: true,
    },
    {
      name: "tampered body",
      headers: signed(),
      body: Buffer.from(body.toString().replace("succeeded", "failed")),
      ok: false,
      reason: "bad-signature",
    },
    { name: "wrong secret", headers: { ...signed(), "webhook-signature": foreign }, body, ok: false, reason: "bad-signature" },
    { name: "tampered id", headers: { ...signed(), "webhook-id": "msg_2" }, body, ok: false, reason: "bad-signature" },
    { name: "stale timestamp (6 minutes old)", headers: signed({ at: minutes(-6) }), body, ok: false, reason: "stale" },
    { name: "future timestamp (6 minutes ahead)", headers: signed({ at: minutes(6) }), body, ok: false, reason: "future" },
    { name: "4 minutes old is within tolerance", headers: signed({ at: minutes(-4) }), body, ok: true },
    { name: "missing webhook-id", headers: without(signed(), "webhook-id"), body, ok: false, reason: "missing-headers" },
    { name: "missing webhook-timestamp", headers: without(signed(), "webhook-timestamp"), body, ok: false, reason: "missing-headers" },
    { name: "missing webhook-signature", headers: without(signed(), "webhook-signature"), body, ok: false, reason: "missing-headers" },
    { name: "non-numeric timestamp", headers: { ...signed(), "webhook-timestamp": "soon" }, body, ok: false, reason: "bad-timestamp" },
    {
      name: "signature of the right length but wrong bytes",
      headers: { ...signed(), "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")}` },
      body,
      ok: false,
      reason: "bad-signature",
    },
  ])("$name", ({ headers, body: b, ok, reason }) => {
    const result = verifyWebhook({ secrets: [secret], headers, body: b, now });
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it("verifies against any of several secrets (the receiver's rotation)", () => {
    expect(verifyWebhook({ secrets: [other, secret], headers: signed(), body, now }).ok).toBe(true);
    expect(verifyWebhook({ secrets: [other], headers: signed(), body, now }).ok).toBe(false);
    expect(verifyWebhook({ secrets: [], headers: signed(), body, now }).ok).toBe(false);
  });
});
