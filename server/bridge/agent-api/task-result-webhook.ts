// POST /api/webhooks/task-result: an agent pushes a task's result as a Standard Webhook signed with
// the signing secret of one of its live keys (server/lib/standard-webhooks.ts). The body is the
// result of POST /tasks/:id/result plus its taskId. Verified over the raw bytes (mounted with
// express.raw, before any JSON parser), within ±5 minutes; a webhook-id the agent already sent acts
// once (a receipt in the same transaction as the result), also when duplicates arrive together.
import express, { Router } from "express";
import { config } from "../../config";
import { db } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { jsonErrorHandler, sendError, zodToAppError } from "../../lib/http-errors";
import { verifyWebhook } from "../../lib/standard-webhooks";
import { webhookTaskResultBody } from "@shared/work";
import { signingSecretsOf } from "../../domain/agents/keys";
import { recordReceipt } from "../../domain/agents/webhooks";
import { finishAttempt, liveAttemptOf } from "../../domain/tasks/attempts";
import { afterAttemptFinished, finishedView, resultOf } from "../../commands/tasks";

export function createTaskResultWebhookRouter(): Router {
  const router = Router();
  router.post("/", express.raw({ type: () => true, limit: config.BRIDGE_BODY_LIMIT }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendError(res, 400, "BAD_REQUEST", "body is not valid JSON", "body");
    }
    // The task names the agent whose secrets must have signed it: the one holding its latest attempt.
    const taskId = typeof (json as { taskId?: unknown })?.taskId === "string" ? (json as { taskId: string }).taskId : null;
    const attempt = taskId
      ? await db.taskAttempt.findFirst({ where: { taskId }, select: { agentId: true }, orderBy: { number: "desc" } })
      : null;
    const secrets = attempt ? await signingSecretsOf(db, attempt.agentId) : [];
    const verified = verifyWebhook({ secrets, headers: req.headers, body: raw, now: new Date() });
    if (!verified.ok) {
      const why = {
        "missing-headers": "webhook-id, webhook-timestamp and webhook-signature headers are required",
        "bad-timestamp": "webhook-timestamp must be whole seconds since the epoch",
        stale: "webhook-timestamp is more than 5 minutes old",
        future: "webhook-timestamp is more than 5 minutes ahead",
        "bad-signature": "no valid signature for this task's agent",
      }[verified.reason];
      return sendError(res, 401, "UNAUTHORIZED", why, verified.reason === "bad-signature" ? "webhook-signature" : undefined);
    }
    const parsed = webhookTaskResultBody.safeParse(json);
    if (!parsed.success) throw zodToAppError(parsed.error);
    const body = parsed.data;
    const agentId = attempt!.agentId;
    const outcome = await db.$transaction(async (tx) => {
      const fresh = await recordReceipt(tx, { agentId, webhookId: verified.id, eventType: "task.result", taskId: body.taskId });
      if (!fresh) return { duplicate: true as const };
      const live = await liveAttemptOf(tx, { agentId, taskId: body.taskId });
      if (body.attempt !== undefined && body.attempt !== live.number) {
        throw new AppError("CONFLICT", `attempt ${body.attempt} is not the live attempt (${live.number})`, { field: "attempt" });
      }
      const finished = await finishAttempt(tx, {
        attemptId: live.id,
        now: new Date(),
        retryBackoffMs: config.TASK_RETRY_BACKOFF_MS,
        result: resultOf(body),
      });
      return { duplicate: false as const, finished };
    });
    if (outcome.duplicate) return void res.json({ duplicate: true, webhookId: verified.id });
    await afterAttemptFinished(outcome.finished);
    res.json({ duplicate: false, webhookId: verified.id, ...finishedView(outcome.finished) });
  });
  router.use(jsonErrorHandler);
  return router;
}
