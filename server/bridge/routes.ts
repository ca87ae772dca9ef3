// The agent bridge: a small HTTP API for code inside a sandbox, in any language.
// Mounted at /api/agent/v1/runs/:runId (that URL is PADDOCK_BRIDGE_URL inside the sandbox).
import express, { Router, type Request, type Response } from "express";
import multer from "multer";
import {
  ackRequestSchema,
  artifactUploadFieldsSchema,
  bridgeValidationError,
  completeRequestSchema,
  createEventsRequestSchema,
  emailRequestSchema,
  paymentRequestSchema,
  progressRequestSchema,
  promptsQuerySchema,
  spendCreditsRequestSchema,
} from "@shared/bridge";
import type { z } from "zod";
import { config } from "../config";
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { pgPool } from "../lib/pg";
import { AppError } from "../lib/errors";
import { jsonErrorHandler, sendError } from "../lib/http-errors";
import { bridgeAuth } from "./auth";
import { bridgeIdempotency } from "./idempotency";
import { appendEvents, type EventInput } from "../domain/runs/events";
import { recordProgress } from "../domain/runs/progress";
import { spendCredits } from "../domain/runs/credits";
import { acknowledgePrompt, claimPendingPrompts } from "../domain/runs/prompts";
import { recordEmail, recordPayment } from "../domain/runs/outbound";
import { storeArtifact } from "../domain/runs/artifacts";
import { completeRun } from "../domain/runs/complete";
import { listenForPrompt } from "./prompt-signal";
import { forwardChatCompletion } from "./llm-proxy";
import { afterProgress, afterTransition, publishEvents } from "../commands/run-effects";
import { enqueueVerify } from "../jobs/runs/verify";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { admitEvents } from "./event-rate";

function incomingArtifactDir(artifactDir: string): string {
  // On the artifacts volume, so moving a finished upload into place is a rename, not a copy.
  const dir = path.join(artifactDir, ".incoming");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const body = bridgeValidationError(result.error);
    throw new AppError("BAD_REQUEST", body.error.message, body.error.field ? { field: body.error.field } : {});
  }
  return result.data;
}

const runId = (req: Request) => req.bridgeRun!.id;

async function touch(id: string) {
  await pgPool().query(`UPDATE runs SET "lastActivityAt" = now() WHERE id = $1`, [id]);
}

export function createBridgeRouter(): Router {
  const router = Router({ mergeParams: true });
  const eventsSchema = createEventsRequestSchema(config.BRIDGE_EVENT_BATCH_MAX);
  const artifactDir = path.resolve(config.DATA_DIR, "artifacts");
  // Streamed to disk as it arrives (never whole in memory), then moved into place by storeArtifact.
  const upload = multer({
    storage: multer.diskStorage({ destination: incomingArtifactDir(artifactDir) }),
    limits: { fileSize: config.ARTIFACT_MAX_BYTES, files: 1, fields: 10 },
  });

  router.use(bridgeAuth(db));
  router.use(express.json({ limit: config.BRIDGE_BODY_LIMIT }));
  // After the body parser: a key is bound to the body it came with.
  router.use(bridgeIdempotency());

  router.get("/run", async (req, res) => {
    const run = await db.run.findUniqueOrThrow({
      where: { id: runId(req) },
      select: {
        id: true,
        goal: true,
        metric: true,
        targetValue: true,
        currentProgress: true,
        status: true,
        creditBudget: true,
        creditsSpent: true,
        agentConfig: true,
        agent: { select: { model: true, policy: true } },
        visibility: true,
        workspace: { select: { id: true, name: true } },
      },
    });
    await touch(run.id);
    const { agent, ...rest } = run;
    // The agent learns who will read what it reports: a workspace run is seen by its members only.
    res.json({ ...rest, agentConfig: rest.agentConfig ?? {}, model: agent.model, policy: agent.policy });
  });

  router.post("/events", async (req, res) => {
    const body = parse(eventsSchema, req.body);
    const admission = await admitEvents(runId(req), body.events.length, config.BRIDGE_EVENTS_PER_SECOND);
    if (!admission.admitted) {
      res.setHeader("Retry-After", String(admission.retryAfterSeconds));
      return sendError(
        res,
        429,
        "RATE_LIMITED",
        `events: at most ${config.BRIDGE_EVENTS_PER_SECOND} per second per run; retry after ${admission.retryAfterSeconds} s`,
        "events",
      );
    }
    const stored = await appendEvents(
      pgPool(),
      runId(req),
      body.events.map((e): EventInput => ({ kind: e.kind, payload: e.payload, ...(e.at ? { at: new Date(e.at) } : {}) })),
      { requireActive: true },
    );
    publishEvents(stored);
    res.json({ accepted: stored.length, lastSeq: stored[stored.length - 1]?.seq ?? 0 });
  });

  router.post("/progress", async (req, res) => {
    const body = parse(progressRequestSchema, req.body);
    const result = await recordProgress(db, { runId: runId(req), value: body.value, ...(body.note ? { note: body.note } : {}) });
    await afterProgress(runId(req), result);
    res.json({ currentProgress: result.currentProgress, reachedTarget: result.reachedTarget });
  });

  router.post("/artifacts", upload.single("file"), async (req, res) => {
    if (!req.file) throw new AppError("BAD_REQUEST", 'file: a multipart file part named "file" is required', { field: "file" });
    const file = req.file;
    try {
      const fields = parse(artifactUploadFieldsSchema, req.body ?? {});
      const artifact = await storeArtifact(db, {
        runId: runId(req),
        artifactDir,
        kind: fields.kind,
        filename: file.originalname,
        contentType: file.mimetype,
        upload: { path: file.path, size: file.size },
        limits: { perRun: config.ARTIFACT_MAX_PER_RUN, bytesPerRun: config.ARTIFACT_MAX_BYTES_PER_RUN },
      });
      res.status(201).json({
        id: artifact.id,
        kind: artifact.kind,
        filename: artifact.filename,
        size: artifact.size,
        contentType: artifact.contentType,
      });
    } finally {
      await rm(file.path, { force: true }); // gone already when it was stored
    }
  });

  router.get("/prompts", async (req, res) => {
    const query = parse(promptsQuerySchema, req.query);
    const id = runId(req);
    await touch(id);
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const deadline = Date.now() + Math.min(query.wait * 1000, config.BRIDGE_LONG_POLL_MS);
    for (;;) {
      const remaining = deadline - Date.now();
      const listener = remaining > 0 ? await listenForPrompt(id, remaining, aborted.signal) : null;
      try {
        const prompts = await claimPendingPrompts(db, id);
        if (prompts.length > 0 || !listener || aborted.signal.aborted) {
          return res.json({ prompts: prompts.map((p) => ({ id: p.id, text: p.text, createdAt: p.createdAt.toISOString() })) });
        }
        await listener.woken;
      } finally {
        await listener?.done();
      }
      if (Date.now() >= deadline || aborted.signal.aborted) {
        const prompts = await claimPendingPrompts(db, id);
        return res.json({ prompts: prompts.map((p) => ({ id: p.id, text: p.text, createdAt: p.createdAt.toISOString() })) });
      }
    }
  });

  router.post("/prompts/:promptId/ack", async (req, res) => {
    const body = parse(ackRequestSchema, req.body ?? {});
    const result = await acknowledgePrompt(db, {
      runId: runId(req),
      promptId: String(req.params.promptId),
      ...(body.response ? { response: body.response } : {}),
    });
    await touch(runId(req));
    res.json(result);
  });

  router.post("/credits/spend", async (req, res) => {
    const body = parse(spendCreditsRequestSchema, req.body);
    res.json(await spendCredits(db, { runId: runId(req), amount: body.amount, reason: body.reason }));
  });

  router.post("/emails", async (req, res) => {
    const body = parse(emailRequestSchema, req.body);
    const result = await recordEmail(db, { runId: runId(req), ...body });
    publishEvents([result.event]);
    res.status(201).json({ id: result.id });
  });

  router.post("/payments", async (req, res) => {
    const body = parse(paymentRequestSchema, req.body);
    const result = await recordPayment(db, {
      runId: runId(req),
      amountCents: body.amountCents,
      recipient: body.recipient,
      currency: body.currency ?? "USD",
      memo: body.memo,
    });
    publishEvents([result.event]);
    res.status(201).json({ id: result.id });
  });

  router.post("/complete", async (req, res) => {
    const body = parse(completeRequestSchema, req.body);
    const result = await completeRun(db, { runId: runId(req), outcome: body.outcome, summary: body.summary });
    if (result.verifying) {
      // Recorded in verifyRequestedAt: with Redis down the reaper enqueues the job later, and the
      // lifecycle sweep fails a verification that never finishes. The agent may simply exit now.
      await enqueueVerify(runId(req), "completed").catch((err: unknown) =>
        logger.warn({ err, runId: runId(req) }, "verification not enqueued; the reaper will retry"),
      );
      return void res.json({ status: result.status });
    }
    await afterTransition(result.transition);
    res.json({ status: result.transition.status });
  });

  router.post("/llm/chat/completions", forwardChatCompletion);

  router.post("/heartbeat", async (req, res) => {
    await touch(runId(req));
    res.json({ ok: true });
  });

  router.use((_req: Request, res: Response) => sendError(res, 404, "NOT_FOUND", "no such bridge endpoint"));
  router.use(jsonErrorHandler);
  return router;
}
