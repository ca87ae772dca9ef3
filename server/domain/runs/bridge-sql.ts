// The bridge's per-request statements on the `pg` pool (bench:bridge): every agent call checks its
// token, and most stamp the run's activity (the idle sweep reads it).
import type { PgClient } from "../../lib/pg";

export interface BridgeRun {
  id: string;
  status: string;
}

/** The run a bridge token (its hash) belongs to, whatever its status; null if none. */
export async function runForBridgeToken(pool: PgClient, tokenHash: string): Promise<BridgeRun | null> {
  const { rows } = await pool.query<BridgeRun>(`SELECT id, status::text AS status FROM runs WHERE "tokenHash" = $1`, [tokenHash]);
  return rows[0] ?? null;
}

/** The run's agent was heard from now. */
export async function stampRunActivity(pool: PgClient, runId: string): Promise<void> {
  await pool.query(`UPDATE runs SET "lastActivityAt" = now() WHERE id = $1`, [runId]);
}
