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
import { AppError } from "../lib/errors";
import { jsonErrorHandler, sendError } from "../lib/http-errors";
import { bridgeAuth } from "./auth";
import { bridgeIdempotency } from "./idempotency";
import type { EventInput } from "../domain/runs/events";
import {
  acknowledgePrompt,
  heartbeat,
  makePayment,
  readRunForAgent,
  reportCompletion,
  reportEvents,
  reportProgress,
  sendEmail,
  spendCredits,
  uploadArtifact,
  waitForPrompts,
} from "../commands/run-agent";
import { forwardChatCompletion } from "./llm-proxy";
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

export function createBridgeRouter(): Router {
  const router = Router({ mergeParams: true });
  const eventsSchema = createEventsRequestSchema(config.BRIDGE_EVENT_BATCH_MAX);
  const artifactDir = path.resolve(config.DATA_DIR, "artifacts");
  // Streamed to disk as it arrives (never whole in memory), then moved into place by storeArtifact.
  const upload = multer({
    storage: multer.diskStorage({ destination: incomingArtifactDir(artifactDir) }),
    limits: { fileSize: config.ARTIFACT_MAX_BYTES, files: 1, fields: 10 },
  });

  router.use(bridgeAuth());
  router.use(express.json({ limit: config.BRIDGE_BODY_LIMIT }));
  // After the body parser: a key is bound to the body it came with.
  router.use(bridgeIdempotency());

  router.get("/run", async (req, res) => {
    // The agent learns who will read what it reports: a workspace run is seen by its members only.
    res.json(await readRunForAgent(runId(req)));
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
    const stored = await reportEvents(
      runId(req),
      body.events.map((e): EventInput => ({ kind: e.kind, payload: e.payload, ...(e.at ? { at: new Date(e.at) } : {}) })),
    );
    res.json({ accepted: stored.length, lastSeq: stored[stored.length - 1]?.seq ?? 0 });
  });

  router.post("/progress", async (req, res) => {
    const body = parse(progressRequestSchema, req.body);
    const result = await reportProgress({ runId: runId(req), value: body.value, ...(body.note ? { note: body.note } : {}) });
    res.json({ currentProgress: result.currentProgress, reachedTarget: result.reachedTarget });
  });

  router.post("/artifacts", upload.single("file"), async (req, res) => {
    if (!req.file) throw new AppError("BAD_REQUEST", 'file: a multipart file part named "file" is required', { field: "file" });
    const file = req.file;
    try {
      const fields = parse(artifactUploadFieldsSchema, req.body ?? {});
      const artifact = await uploadArtifact({
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
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const waitMs = Math.min(query.wait * 1000, config.BRIDGE_LONG_POLL_MS);
    const prompts = await waitForPrompts(runId(req), { waitMs, signal: aborted.signal });
    res.json({ prompts: prompts.map((p) => ({ id: p.id, text: p.text, createdAt: p.createdAt.toISOString() })) });
  });

  router.post("/prompts/:promptId/ack", async (req, res) => {
    const body = parse(ackRequestSchema, req.body ?? {});
    res.json(
      await acknowledgePrompt({
        runId: runId(req),
        promptId: String(req.params.promptId),
        ...(body.response ? { response: body.response } : {}),
      }),
    );
  });

  router.post("/credits/spend", async (req, res) => {
    const body = parse(spendCreditsRequestSchema, req.body);
    res.json(await spendCredits({ runId: runId(req), amount: body.amount, reason: body.reason }));
  });

  router.post("/emails", async (req, res) => {
    const body = parse(emailRequestSchema, req.body);
    const result = await sendEmail({ runId: runId(req), ...body });
    res.status(201).json({ id: result.id });
  });

  router.post("/payments", async (req, res) => {
    const body = parse(paymentRequestSchema, req.body);
    const result = await makePayment({
      runId: runId(req),
      amountCents: body.amountCents,
      recipient: body.recipient,
      currency: body.currency ?? "USD",
      memo: body.memo,
    });
    res.status(201).json({ id: result.id });
  });

  router.post("/complete", async (req, res) => {
    const body = parse(completeRequestSchema, req.body);
    res.json(await reportCompletion({ runId: runId(req), outcome: body.outcome, summary: body.summary }));
  });

  router.post("/llm/chat/completions", forwardChatCompletion);

  router.post("/heartbeat", async (req, res) => {
    await heartbeat(runId(req));
    res.json({ ok: true });
  });

  router.use((_req: Request, res: Response) => sendError(res, 404, "NOT_FOUND", "no such bridge endpoint"));
  router.use(jsonErrorHandler);
  return router;
}
