// The agent API's authentication: `Authorization: Bearer pk_…`, a key made by agent.createKey for
// an external agent, stored as its SHA-256. A revoked key, or an archived agent's, is refused.
// Every claim and result carries the key, so what a key resolves to is remembered per process like
// a personal API token (auth/token-cache.ts): for at most its TTL, and forgotten by every process
// as soon as a key is revoked or an agent archived (the agent router calls forgetTokenUsers).
import type { NextFunction, Request, Response } from "express";
import { pgPool } from "../../lib/pg";
import { hashToken } from "../../lib/passwords";
import { bearerToken } from "../../auth/resolve-user";
import { rememberedLookups } from "../../auth/token-cache";
import { sendError } from "../../lib/http-errors";

export interface ApiAgent {
  agentId: string;
  keyId: string;
  workspaceId: string;
}

declare module "express-serve-static-core" {
  interface Request {
    apiAgent?: ApiAgent;
  }
}

/** A live key of an archived agent resolves to this: refused with 403, not looked up again each call. */
const ARCHIVED = "archived" as const;
const keys = rememberedLookups<ApiAgent | typeof ARCHIVED>();

async function agentForKeyHash(keyHash: string) {
  const { rows } = await pgPool().query<{
    keyId: string;
    agentId: string;
    workspaceId: string | null;
    active: boolean;
    stale: boolean;
  }>(
    `SELECT k.id AS "keyId", k."agentId", a."workspaceId", a.active,
            (k."lastUsedAt" IS NULL OR k."lastUsedAt" < now() - interval '1 minute') AS stale
       FROM agent_keys k JOIN agents a ON a.id = k."agentId"
      WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
    [keyHash],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.stale) {
    void pgPool()
      .query(`UPDATE agent_keys SET "lastUsedAt" = now() WHERE id = $1`, [row.keyId])
      .catch(() => {});
  }
  if (!row.active || !row.workspaceId) return { value: ARCHIVED };
  return { value: { agentId: row.agentId, keyId: row.keyId, workspaceId: row.workspaceId } };
}

export function agentKeyAuth() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerToken(req.headers.authorization);
    if (!key) return sendError(res, 401, "UNAUTHORIZED", "missing bearer key: send Authorization: Bearer pk_… (agent.createKey makes one)");
    const hash = hashToken(key);
    const agent = keys.get(hash) ?? (await keys.lookup(hash, () => agentForKeyHash(hash)));
    if (!agent) return sendError(res, 401, "UNAUTHORIZED", "invalid or revoked agent key");
    if (agent === ARCHIVED) return sendError(res, 403, "FORBIDDEN", "this agent is archived");
    req.apiAgent = agent;
    next();
  };
}
