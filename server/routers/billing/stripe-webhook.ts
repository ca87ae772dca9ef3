// POST /api/webhooks/stripe: the raw body (express.raw, so no JSON parser has touched the bytes the
// signature covers) to the webhook command. 200 once the event is stored (or was before), 400 when
// the signature does not verify (nothing is written), 5xx when it could not be processed: Stripe
// retries those.
import express, { Router } from "express";
import { receiveStripeWebhook } from "../../commands/billing";

export function createStripeWebhookRouter(): Router {
  const router = Router();
  router.post("/", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const outcome = await receiveStripeWebhook(payload, req.header("stripe-signature"));
    res.json({ received: true, id: outcome.eventId, duplicate: outcome.duplicate, result: outcome.result });
  });
  return router;
}
