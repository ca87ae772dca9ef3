// Agent commands with effects beyond their transaction: replaying a webhook delivery enqueues it.
import { db } from "../lib/db";
import { replayDelivery as replayDeliveryTx } from "../domain/agents/webhooks";
import type { Actor } from "../domain/agents/agents";
import { enqueueDelivery } from "./tasks";

export async function replayDelivery(actor: Actor, input: { deliveryId: string }) {
  const row = await replayDeliveryTx(db, actor, input);
  await enqueueDelivery(row.id, Date.now());
  return { id: row.id, status: "pending" as const };
}
