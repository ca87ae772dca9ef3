// The session secret of an installation started without AUTH_SECRET (never production, which
// refuses to boot without one): random on first start, kept in `<DATA_DIR>/auth-secret` (0600)
// and reused afterwards, so sessions survive restarts and nobody can forge a cookie with a
// secret published in the source.
import { randomBytes } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

export const AUTH_SECRET_FILE = "auth-secret";

export function localAuthSecret(dataDir: string): string {
  const file = path.join(dataDir, AUTH_SECRET_FILE);
  const existing = readSecret(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: processes starting together
  // (api and worker) never read a half-written file, and the first link wins.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temp, `${randomBytes(48).toString("base64url")}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600); // the umask may have narrowed the mode, never widened it; be exact
  try {
    linkSync(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    unlinkSync(temp);
  }
  const secret = readSecret(file);
  if (!secret) throw new Error(`${file} holds no secret; delete it or set AUTH_SECRET`);
  return secret;
}

function readSecret(file: string): string | undefined {
  try {
    const value = readFileSync(file, "utf8").trim();
    return value.length >= 32 ? value : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
