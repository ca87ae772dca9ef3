// Outgoing webhook deliveries to agents (their log, read and replayed by whoever manages the
// agent) and receipts of incoming signed webhooks, which make a repeated webhook-id act once.
import { AppError } from "../../lib/errors";
import type { DbClient, Prisma } from "../../lib/db";
import { newWebhookId } from "../../lib/standard-webhooks";
import { manageableAgent, type Actor } from "./agents";

export const deliverySelect = {
  id: true,
  agentId: true,
  taskId: true,
  url: true,
  eventType: true,
  webhookId: true,
  payload: true,
  status: true,
  attempts: true,
  lastStatusCode: true,
  lastError: true,
  nextAttemptAt: true,
  deliveredAt: true,
  createdAt: true,
} satisfies Prisma.WebhookDeliverySelect;

export async function createDelivery(
  db: DbClient,
  input: { agentId: string; taskId: string | null; url: string; eventType: string; data: unknown; now: Date },
) {
  return db.webhookDelivery.create({
    data: {
      agentId: input.agentId,
      taskId: input.taskId,
      url: input.url,
      eventType: input.eventType,
      webhookId: newWebhookId(),
      // The Standard Webhooks body: the event type, when it happened, and its data.
      payload: { type: input.eventType, timestamp: input.now.toISOString(), data: input.data } as Prisma.InputJsonObject,
    },
    select: { id: true },
  });
}

export async function deliveryById(db: DbClient, id: string) {
  return db.webhookDelivery.findUnique({ where: { id }, select: deliverySelect });
}

/** One try's outcome. `final`: no try follows (the last one failed), so the delivery has failed. */
export async function recordDeliveryTry(
  db: DbClient,
  input: {
    id: string;
    ok: boolean;
    statusCode: number | null;
    error: string | null;
    now: Date;
    nextAttemptAt: Date | null;
    final: boolean;
  },
) {
  await db.webhookDelivery.update({
    where: { id: input.id },
    data: {
      attempts: { increment: 1 },
      lastStatusCode: input.statusCode,
      lastError: input.ok ? null : input.error,
      status: input.ok ? "succeeded" : input.final ? "failed" : "pending",
      deliveredAt: input.ok ? input.now : null,
      nextAttemptAt: input.ok || input.final ? null : input.nextAttemptAt,
    },
    select: { id: true },
  });
}

export async function listDeliveries(db: DbClient, actor: Actor, input: { agentId: string; limit: number }) {
  await manageableAgent(db, actor, input.agentId, "agentId");
  return db.webhookDelivery.findMany({
    where: { agentId: input.agentId },
    select: deliverySelect,
    orderBy: { createdAt: "desc" },
    take: input.limit,
  });
}

/** Sends the same message again (same webhook-id, so a receiver that saw it can tell). */
export async function replayDelivery(db: DbClient, actor: Actor, input: { deliveryId: string }) {
  const delivery = await db.webhookDelivery.findUnique({ where: { id: input.deliveryId }, select: { agentId: true } });
  if (!delivery) throw new AppError("NOT_FOUND", "no delivery with that id", { field: "deliveryId" });
  await manageableAgent(db, actor, delivery.agentId, "deliveryId").catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND")
      throw new AppError("NOT_FOUND", "no delivery with that id", { field: "deliveryId" });
    throw e;
  });
  const row = await db.webhookDelivery.update({
    where: { id: input.deliveryId },
    data: { status: "pending", nextAttemptAt: null },
    select: { id: true, attempts: true },
  });
  return row;
}

/**
 * Records that an incoming webhook is being acted on; false when its id was already recorded for
 * this agent. Called inside the transaction that acts: a concurrent duplicate waits on the unique
 * index until the first commits and then finds it recorded (or, if the first rolled back, acts).
 */
export async function recordReceipt(
  tx: Prisma.TransactionClient,
  input: { agentId: string; webhookId: string; eventType: string; taskId: string | null },
): Promise<boolean> {
  const n = await tx.$executeRaw`
    INSERT INTO webhook_receipts (id, "agentId", "webhookId", "eventType", "taskId", "receivedAt")
    VALUES (gen_random_uuid()::text, ${input.agentId}, ${input.webhookId}, ${input.eventType}, ${input.taskId}, now())
    ON CONFLICT ("agentId", "webhookId") DO NOTHING`;
  return n === 1;
}
