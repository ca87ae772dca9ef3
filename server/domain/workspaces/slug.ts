import { randomBytes } from "node:crypto";

const SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A team workspace's slug: its name in lowercase ASCII words joined by "-", and a random
 * 6-character suffix, so two teams may share a name and a slug never equals a personal one
 * (`personal-<userId>`, whose last part is a 25-character id).
 */
export function teamSlug(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const suffix = Array.from(randomBytes(6), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
  return `${base || "workspace"}-${suffix}`;
}
