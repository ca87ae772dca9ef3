// The agent API's authentication: `Authorization: Bearer pk_…`, a key made by agent.createKey for
// an external agent, stored as its SHA-256. A revoked key, or an archived agent's, is refused.
// Every claim and result carries the key, so what a key resolves to is remembered per process like
// a personal API token (auth/token-cache.ts): for at most its TTL, and forgotten by every process
// as soon as a key is revoked or an agent archived (the agent router calls forgetTokenUsers).
import { pgPool } from "../../lib/pg";
import { hashToken } from "../../lib/passwords";
import { AppError } from "../../lib/errors";
import { bearerToken } from "../../auth/resolve-user";
import { rememberedLookups } from "../../auth/token-cache";
import { agentForKeyHash, type AgentKeyHolder } from "../../domain/agents/keys-sql";

export type ApiAgent = AgentKeyHolder;

/** What a key resolves to is remembered, an archived agent's too (refused with 403, not looked up again each call). */
const keys = rememberedLookups<AgentKeyHolder | "archived">();

/** The agent an `Authorization` header's key belongs to; refused (401, 403) when there is none it may act as. */
export async function authenticateAgent(authorization: string | undefined): Promise<ApiAgent> {
  const key = bearerToken(authorization);
  if (!key) throw new AppError("UNAUTHORIZED", "missing bearer key: send Authorization: Bearer pk_… (agent.createKey makes one)");
  const hash = hashToken(key);
  const agent =
    keys.get(hash) ??
    (await keys.lookup(hash, async () => {
      const holder = await agentForKeyHash(pgPool(), hash);
      return holder && { value: holder };
    }));
  if (!agent) throw new AppError("UNAUTHORIZED", "invalid or revoked agent key");
  if (agent === "archived") throw new AppError("FORBIDDEN", "this agent is archived");
  return agent;
}
