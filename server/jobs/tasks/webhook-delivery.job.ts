// Delivers one outgoing webhook (task.assigned…) to an agent's URL, signed Standard Webhooks
// style with the signing secrets of the agent's live keys. Retried with exponential backoff
// (WEBHOOK_DELIVERY_ATTEMPTS, WEBHOOK_BACKOFF_MS); every try is written to the delivery log.
// The same webhook-id goes out on every try and replay, so the agent can drop repeats.
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { signWebhook } from "../../lib/standard-webhooks";
import { deliveryById, recordDeliveryTry } from "../../domain/agents/webhooks";
import { signingSecretsOf } from "../../domain/agents/keys";
import { deliverWebhookJobSpec } from "./specs";

export const deliverWebhookJob = defineJob({
  ...deliverWebhookJobSpec,
  concurrency: 8,
  async handle({ deliveryId }, job) {
    const delivery = await deliveryById(db, deliveryId);
    if (!delivery || delivery.status === "succeeded") return { skipped: delivery?.status ?? "missing" };
    const secrets = await signingSecretsOf(db, delivery.agentId);
    const body = JSON.stringify(delivery.payload);
    const now = new Date();
    const headers = signWebhook({ secrets, id: delivery.webhookId, timestamp: now, body });
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(delivery.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Paddock-Webhooks/1", ...headers },
        body,
        signal: AbortSignal.timeout(config.WEBHOOK_TIMEOUT_MS),
        redirect: "manual",
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) error = `the endpoint answered ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade + 1 >= attempts;
    const nextDelay = config.WEBHOOK_BACKOFF_MS * 2 ** job.attemptsMade;
    await recordDeliveryTry(db, {
      id: deliveryId,
      ok: error === null,
      statusCode,
      error,
      now,
      nextAttemptAt: final ? null : new Date(now.getTime() + nextDelay),
      final,
    });
    if (error !== null) throw new Error(`webhook delivery ${deliveryId} failed: ${error}`);
    return { statusCode };
  },
});
