// POST /api/webhooks/render: the render service's signed completion callback (Standard Webhooks:
// verified over the raw body, ±5 minutes, any of several signatures). It ends the job's attempt —
// once: a replayed or duplicate delivery, or one after a poll got there first, changes nothing and
// is still answered 200 so the service stops retrying.
import express, { Router } from "express";
import { config } from "../config";
import { db } from "../lib/db";
import { sendError } from "../lib/http-errors";
import { findExternalJobByExternalId } from "../domain/pipelines/external-jobs";
import { renderWebhookSchema } from "../providers/render-service";
import { verifyWebhook } from "../lib/standard-webhooks";
import { endExternalJobNow } from "../jobs/pipelines/pipeline-flow";

export function createRenderWebhookRouter(): Router {
  const router = Router();
  router.post("/", express.raw({ type: "*/*", limit: "256kb" }), async (req, res) => {
    const secret = config.RENDER_WEBHOOK_SECRET;
    if (!secret) return sendError(res, 404, "NOT_FOUND", "render webhooks are not configured (RENDER_WEBHOOK_SECRET)");
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyWebhook({ secrets: [secret], headers: req.headers, body: raw, now: new Date() });
    if (!verified.ok) return sendError(res, 401, "UNAUTHORIZED", `webhook refused: ${verified.reason}`);
    let body;
    try {
      body = renderWebhookSchema.parse(JSON.parse(raw.toString("utf8")));
    } catch {
      return sendError(res, 400, "BAD_REQUEST", "body must be a render.succeeded or render.failed event");
    }
    const ext = await findExternalJobByExternalId(db, "render", body.data.id);
    if (!ext) return res.status(200).json({ ok: true, acted: false });
    const end = await endExternalJobNow(ext.id, {
      outcome: body.data.status === "succeeded" ? "succeeded" : "failed",
      source: "webhook",
      ...(body.data.output ? { output: body.data.output } : {}),
      ...(body.data.error ? { error: body.data.error } : {}),
    });
    res.status(200).json({ ok: true, acted: end.acted });
  });
  return router;
}
