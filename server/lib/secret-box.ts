// Secrets Paddock must use again later (an LLM credential's API key) are stored sealed, not in
// clear: AES-256-GCM under a key derived from AUTH_SECRET with HKDF-SHA256, a fresh 96-bit nonce
// per value, and the purpose bound in as associated data, so a database dump or a backup alone
// reveals no key, and a sealed value cannot be moved to another purpose. Changing AUTH_SECRET makes
// earlier values unreadable (openSecret throws): they are entered again.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { config } from "../config";

const VERSION = "v1";
const keys = new Map<string, Buffer>();

function keyFor(secret: string, purpose: string): Buffer {
  const id = `${purpose}\0${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "paddock secret-box", `${VERSION}:${purpose}`, 32));
    keys.set(id, key);
  }
  return key;
}

/** `v1.<nonce>.<tag>.<ciphertext>`, each part base64url. */
export function sealSecret(plain: string, opts: { secret: string; purpose: string }): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(opts.secret, opts.purpose), nonce);
  cipher.setAAD(Buffer.from(opts.purpose));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, nonce, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export class SecretUnreadable extends Error {}

/** The plain value; throws SecretUnreadable if it was sealed under another secret or purpose, or altered. */
export function openSecret(sealed: string, opts: { secret: string; purpose: string }): string {
  const [version, nonce, tag, body, extra] = sealed.split(".");
  if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined || extra !== undefined) {
    throw new SecretUnreadable("not a sealed value of this Paddock version");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(opts.secret, opts.purpose), Buffer.from(nonce, "base64url"), {
      authTagLength: 16, // refuse truncated tags
    });
    decipher.setAAD(Buffer.from(opts.purpose));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadable("sealed under another AUTH_SECRET, or altered");
  }
}

// An agent's webhook signing secret (Paddock signs deliveries and verifies results with it), sealed
// under this server's AUTH_SECRET.
const AGENT_SECRET = { purpose: "agent-signing-secret" } as const;

export const seal = (plain: string): string => sealSecret(plain, { secret: config.AUTH_SECRET, ...AGENT_SECRET });

/** The sealed secret, or null when it cannot be opened (another AUTH_SECRET, or altered). */
export function unseal(sealed: string): string | null {
  try {
    return openSecret(sealed, { secret: config.AUTH_SECRET, ...AGENT_SECRET });
  } catch (err) {
    if (err instanceof SecretUnreadable) return null;
    throw err;
  }
}
