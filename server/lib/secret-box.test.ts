// Sealed secrets: they open only with the same AUTH_SECRET and purpose, and an altered one does not open.
import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, SecretUnreadable } from "./secret-box";

const secret = "a-test-auth-secret-of-at-least-32-chars";
const opts = { secret, purpose: "llm-credential-api-key" };

describe("secret-box", () => {
  it("opens what it sealed, with a fresh nonce each time", () => {
    const a = sealSecret("sk-live-123", opts);
    const b = sealSecret("sk-live-123", opts);
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-live-123");
    expect(openSecret(a, opts)).toBe("sk-live-123");
    expect(openSecret(sealSecret("", opts), opts)).toBe("");
    expect(openSecret(sealSecret("ключ 🔑", opts), opts)).toBe("ключ 🔑");
  });

  it("refuses another secret, another purpose, and any altered part", () => {
    const sealed = sealSecret("sk-live-123", opts);
    expect(() => openSecret(sealed, { ...opts, secret: `${secret}!` })).toThrow(SecretUnreadable);
    expect(() => openSecret(sealed, { ...opts, purpose: "other" })).toThrow(SecretUnreadable);
    const parts = sealed.split(".");
    for (let i = 1; i < parts.length; i++) {
      const altered = [...parts];
      const p = altered[i]!;
      altered[i] = (p[0] === "A" ? "B" : "A") + p.slice(1);
      expect(() => openSecret(altered.join("."), opts)).toThrow(SecretUnreadable);
    }
    // A truncated tag is not accepted as a shorter one.
    const short = [...parts];
    short[2] = Buffer.from(short[2]!, "base64url").subarray(0, 4).toString("base64url");
    expect(() => openSecret(short.join("."), opts)).toThrow(SecretUnreadable);
    expect(() => openSecret("sk-live-123", opts)).toThrow(SecretUnreadable);
    expect(() => openSecret(`v2.${parts.slice(1).join(".")}`, opts)).toThrow(SecretUnreadable);
  });
});
