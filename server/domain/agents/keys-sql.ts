// An external agent's key, resolved on the `pg` pool (bench:dispatch): every claim and result
// carries the key, and a key its API process does not remember (bridge/agent-api/auth.ts) is
// resolved here, in one statement.
import type { PgClient } from "../../lib/pg";

/** The agent a key speaks for. */
export interface AgentKeyHolder {
  agentId: string;
  keyId: string;
  workspaceId: string;
}

/**
 * The agent a live key (by its SHA-256, hashToken) belongs to; "archived" when that agent is
 * archived (or has no workspace); null for an unknown or revoked key. lastUsedAt is touched at
 * most once a minute, after the answer.
 */
export async function agentForKeyHash(pool: PgClient, keyHash: string): Promise<AgentKeyHolder | "archived" | null> {
  const { rows } = await pool.query<{ keyId: string; agentId: string; workspaceId: string | null; active: boolean; stale: boolean }>(
    `SELECT k.id AS "keyId", k."agentId", a."workspaceId", a.active,
            (k."lastUsedAt" IS NULL OR k."lastUsedAt" < now() - interval '1 minute') AS stale
       FROM agent_keys k JOIN agents a ON a.id = k."agentId"
      WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
    [keyHash],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.stale) void pool.query(`UPDATE agent_keys SET "lastUsedAt" = now() WHERE id = $1`, [row.keyId]).catch(() => {});
  if (!row.active || !row.workspaceId) return "archived";
  return { agentId: row.agentId, keyId: row.keyId, workspaceId: row.workspaceId };
}
