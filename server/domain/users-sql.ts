// API-token sign-in on the `pg` pool (bench:bets): a scripted call whose token its API process does
// not remember (auth/token-cache.ts) is resolved here, in one statement.
import type { PgClient } from "../lib/pg";
import type { Role } from "../generated/prisma/enums";

/**
 * Resolves a personal API token, by its hash (hashToken), to its user; null for unknown, revoked
 * or expired tokens. Runs for scripted API calls (through auth/token-cache.ts), so it is one
 * statement on the pg pool; lastUsedAt is touched at most once a minute. `expiresAt` (epoch ms,
 * or null) lets a cache forget the token when it expires.
 */
export async function userForApiTokenHash(
  pool: PgClient,
  tokenHash: string,
): Promise<{ id: string; role: Role; expiresAt: number | null } | null> {
  // The expiry is compared here, in epoch milliseconds, rather than with the session's now():
  // the column holds UTC whatever the database's TimeZone (epoch of a timestamp is read as UTC).
  const { rows } = await pool.query<{ id: string; role: Role; stale: boolean; tokenId: string; expiresAt: number | null }>(
    `SELECT u.id, u.role::text AS role, t.id AS "tokenId",
            (extract(epoch FROM t."expiresAt") * 1000)::float8 AS "expiresAt",
            (t."lastUsedAt" IS NULL OR t."lastUsedAt" < now() - interval '1 minute') AS stale
       FROM api_tokens t JOIN users u ON u.id = t."userId"
      WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row || (row.expiresAt !== null && row.expiresAt <= Date.now())) return null;
  if (row.stale) await pool.query(`UPDATE api_tokens SET "lastUsedAt" = now() WHERE id = $1`, [row.tokenId]);
  return { id: row.id, role: row.role, expiresAt: row.expiresAt };
}
