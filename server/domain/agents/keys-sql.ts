// An external agent's key, resolved on the `pg` pool (bench:dispatch): every claim and result
// carries the key, and a key its API process does not remember (bridge/agent-api/auth.ts) is
// resolved here. Keys looked up while the previous look-up is in flight are resolved together in
// one statement (lib/group-commit.ts): a fleet of agents arriving at once — after a restart, or
// every time the processes' memory of keys is cleared — costs a statement or two, not one
// statement (and a connection of the pool) per agent.
import type { QueryConfig } from "pg";
import { keyIn, type PgClient } from "../../lib/pg";
import { groupCommit, settleEach } from "../../lib/group-commit";

/** The agent a key speaks for. */
export interface AgentKeyHolder {
  agentId: string;
  keyId: string;
  workspaceId: string;
}

type Holder = AgentKeyHolder | "archived" | null;

interface Pending {
  pool: PgClient;
  keyHash: string;
  resolve(holder: Holder): void;
  reject(err: unknown): void;
}

interface Row {
  keyHash: string;
  keyId: string;
  agentId: string;
  workspaceId: string | null;
  active: boolean;
  stale: boolean;
}

// $1 the keys' SHA-256 hashes. Keys and agents are found by their unique indexes whatever size
// the tables had when the pool's connection planned the statement (lib/pg.ts). Exported for its
// plan's test (domain/tasks/sql-plans.test.ts).
export const AGENT_KEYS_SQL = `
  SELECT k."keyHash", k.id AS "keyId", k."agentId", a."workspaceId", a.active,
         (k."lastUsedAt" IS NULL OR k."lastUsedAt" < now() - interval '1 minute') AS stale
    FROM agent_keys k JOIN agents a ON ${keyIn("a.id", 'k."agentId"')}
   WHERE k."keyHash" = ANY ($1::text[]) AND k."revokedAt" IS NULL`;

const AGENT_KEYS_STATEMENT = { name: "agent-keys", text: AGENT_KEYS_SQL };

/** The key look-up finding nothing: an API process prepares it at start (lib/pg.ts, warmPgPool). */
export const agentKeysWarmUp: QueryConfig = { ...AGENT_KEYS_STATEMENT, values: [[]] };

/** How many statements and keys this process has looked up (keys-sql.test.ts). */
export const keyLookupStats = { statements: 0, keys: 0 };

const submit = groupCommit<Pending>({
  maxBatch: 100,
  run: (_lane, batch) =>
    settleEach(batch, async (pending) => {
      const { rows } = await pending[0]!.pool.query<Row>({
        ...AGENT_KEYS_STATEMENT,
        values: [[...new Set(pending.map((p) => p.keyHash))]],
      });
      keyLookupStats.statements += 1;
      keyLookupStats.keys += pending.length;
      const byHash = new Map(rows.map((r) => [r.keyHash, r]));
      // lastUsedAt is touched at most once a minute, after the answer.
      const stale = rows.filter((r) => r.stale).map((r) => r.keyId);
      if (stale.length > 0) {
        void pending[0]!.pool.query(`UPDATE agent_keys SET "lastUsedAt" = now() WHERE id = ANY ($1::text[])`, [stale]).catch(() => {});
      }
      for (const p of pending) {
        const row = byHash.get(p.keyHash);
        if (!row) p.resolve(null);
        else if (!row.active || !row.workspaceId) p.resolve("archived");
        else p.resolve({ agentId: row.agentId, keyId: row.keyId, workspaceId: row.workspaceId });
      }
    }),
});

/**
 * The agent a live key (by its SHA-256, hashToken) belongs to; "archived" when that agent is
 * archived (or has no workspace); null for an unknown or revoked key.
 */
export function agentForKeyHash(pool: PgClient, keyHash: string): Promise<Holder> {
  return new Promise((resolve, reject) => submit("keys", { pool, keyHash, resolve, reject }));
}
