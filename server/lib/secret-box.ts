// Secrets the server must use again later (an agent's webhook signing secret: Paddock signs and
// verifies HMACs with it) cannot be stored as a hash. They are sealed with AES-256-GCM under a key
// derived from AUTH_SECRET, so a database dump alone does not reveal them. Rotating AUTH_SECRET
// makes the sealed secrets unreadable: agents then need new keys (agent.createKey).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { config } from "../config";

const VERSION = "v1";
let key: Buffer | undefined;

function sealingKey(): Buffer {
  key ??= Buffer.from(hkdfSync("sha256", config.AUTH_SECRET, "paddock", "agent-signing-secrets", 32));
  return key;
}

export function seal(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

/** The sealed secret, or null when it cannot be opened (another AUTH_SECRET, or tampered). */
export function unseal(sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
