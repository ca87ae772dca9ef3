// An external agent's API keys. The `pk_…` key authenticates its calls to /api/agents/v1 and is
// stored as its SHA-256. Each key comes with a Standard Webhooks signing secret (`whsec_…`) that
// signs deliveries to the agent and verifies results it posts to /api/webhooks/task-result; it is
// sealed (server/lib/secret-box.ts), since Paddock computes HMACs with it. Both are shown once.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { hashToken, newToken } from "../../lib/passwords";
import { seal, unseal } from "../../lib/secret-box";
import { newWebhookSecret } from "../../lib/standard-webhooks";
import { manageableAgent, type Actor } from "./agents";

export const AGENT_KEY_PREFIX = "pk";

export async function createAgentKey(db: DbClient, actor: Actor, input: { agentId: string; name: string }) {
  const agent = await manageableAgent(db, actor, input.agentId, "agentId");
  if (agent.kind !== "external") {
    throw new AppError("BAD_REQUEST", "only external agents have keys: a builtin agent runs in a Paddock sandbox", { field: "agentId" });
  }
  if (agent.archivedAt) throw new AppError("CONFLICT", "the agent is archived", { field: "agentId" });
  const key = newToken(AGENT_KEY_PREFIX);
  const signingSecret = newWebhookSecret();
  const row = await db.agentKey.create({
    data: {
      agentId: agent.id,
      name: input.name,
      keyHash: hashToken(key),
      prefix: key.slice(0, 10),
      signingSecretSealed: seal(signingSecret),
      createdById: actor.userId,
    },
    select: { id: true, name: true, prefix: true, createdAt: true },
  });
  return { ...row, key, signingSecret };
}

export async function revokeAgentKey(db: DbClient, actor: Actor, input: { agentId: string; keyId: string }) {
  await manageableAgent(db, actor, input.agentId, "agentId");
  const revoked = await db.agentKey.updateMany({
    where: { id: input.keyId, agentId: input.agentId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (revoked.count === 0) {
    const exists = await db.agentKey.findFirst({ where: { id: input.keyId, agentId: input.agentId }, select: { id: true } });
    if (!exists) throw new AppError("NOT_FOUND", "no key with that id on this agent", { field: "keyId" });
  }
  return { id: input.keyId, revoked: true };
}

/** The signing secrets of the agent's live keys, newest first: several while keys rotate. */
export async function signingSecretsOf(db: DbClient, agentId: string): Promise<string[]> {
  const keys = await db.agentKey.findMany({
    where: { agentId, revokedAt: null },
    select: { signingSecretSealed: true },
    orderBy: { createdAt: "desc" },
  });
  return keys.map((k) => unseal(k.signingSecretSealed)).filter((s): s is string => s !== null);
}
