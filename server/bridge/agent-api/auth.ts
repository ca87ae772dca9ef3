// The agent API's authentication: `Authorization: Bearer pk_…`, a key made by agent.createKey for
// an external agent, stored as its SHA-256. A revoked key, or an archived agent's, is refused.
import type { NextFunction, Request, Response } from "express";
import { pgPool } from "../../lib/pg";
import { hashToken } from "../../lib/passwords";
import { bearerToken } from "../../auth/resolve-user";
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

const LAST_USED_EVERY_MS = 60_000;

export function agentKeyAuth() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerToken(req.headers.authorization);
    if (!key) return sendError(res, 401, "UNAUTHORIZED", "missing bearer key: send Authorization: Bearer pk_… (agent.createKey makes one)");
    const { rows } = await pgPool().query<{
      keyId: string;
      agentId: string;
      workspaceId: string | null;
      active: boolean;
      lastUsedAt: Date | null;
    }>(
      `SELECT k.id AS "keyId", k."agentId", a."workspaceId", a.active, k."lastUsedAt"
         FROM agent_keys k JOIN agents a ON a.id = k."agentId"
        WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
      [hashToken(key)],
    );
    const row = rows[0];
    if (!row) return sendError(res, 401, "UNAUTHORIZED", "invalid or revoked agent key");
    if (!row.active || !row.workspaceId) return sendError(res, 403, "FORBIDDEN", "this agent is archived");
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
      void pgPool()
        .query(`UPDATE agent_keys SET "lastUsedAt" = now() WHERE id = $1`, [row.keyId])
        .catch(() => {});
    }
    req.apiAgent = { agentId: row.agentId, keyId: row.keyId, workspaceId: row.workspaceId };
    next();
  };
}
