// Agent commands with effects beyond their transaction: replaying a webhook delivery enqueues it;
// revoking a key or archiving an agent makes every API process forget the keys it remembers
// (bridge/agent-api/auth.ts), so the key stops working on its next call.
import { db } from "../lib/db";
import { forgetTokenUsers } from "../auth/token-cache";
import { replayDelivery as replayDeliveryTx } from "../domain/agents/webhooks";
import { archiveAgent as archiveAgentTx, type Actor } from "../domain/agents/agents";
import { revokeAgentKey as revokeAgentKeyTx } from "../domain/agents/keys";
import { enqueueDelivery } from "./tasks";

export async function replayDelivery(actor: Actor, input: { deliveryId: string }) {
  const row = await replayDeliveryTx(db, actor, input);
  await enqueueDelivery(row.id, Date.now());
  return { id: row.id, status: "pending" as const };
}

export async function revokeAgentKey(actor: Actor, input: { agentId: string; keyId: string }) {
  const revoked = await revokeAgentKeyTx(db, actor, input);
  await forgetTokenUsers();
  return revoked;
}

export async function archiveAgent(actor: Actor, input: { id: string }) {
  const archived = await archiveAgentTx(db, actor, input.id);
  await forgetTokenUsers();
  return archived;
}
