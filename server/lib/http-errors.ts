// Converts errors to JSON responses for the plain HTTP routes (agent bridge, webhooks, health):
// the one place AppError becomes an HTTP status. Shape: { error: { code, message, field? } }.
import type { ErrorRequestHandler } from "express";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ZodError } from "zod";
import { AppError } from "./errors";
import { logger } from "./logger";

/**
 * A JSON answer written at once: what `res.json` sends, without Express's ETag hash and freshness
 * check, which an API answer (a claim, a result) never uses. The agent API's hot routes answer
 * with it (bench:dispatch).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, field?: string) {
  sendJson(res, status, { error: field ? { code, message, field } : { code, message } });
}

export function zodToAppError(error: ZodError, prefix = ""): AppError {
  const issue = error.issues[0];
  const field = prefix + (issue?.path.join(".") ?? "");
  return new AppError("BAD_REQUEST", `${field || "body"}: ${issue?.message ?? "is invalid"}`, { field: field || "body" });
}

/** Answers a failed request: an AppError (or a body-parser or zod error) with its status, anything else with a logged 500. */
export function answerError(err: unknown, req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return;
  if (err instanceof ZodError) err = zodToAppError(err);
  if (err instanceof AppError) return sendError(res, err.httpStatus, err.code, err.message, err.field);
  const e = err as { type?: string; status?: number; message?: string; code?: string; field?: string };
  if (e.type === "entity.too.large" || e.code === "LIMIT_FILE_SIZE") {
    return sendError(res, 413, "PAYLOAD_TOO_LARGE", `request body is too large (${e.message ?? "over the limit"})`, e.field);
  }
  if (e.type === "entity.parse.failed") return sendError(res, 400, "BAD_REQUEST", "body is not valid JSON", "body");
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return sendError(res, e.status, "BAD_REQUEST", e.message ?? "bad request");
  }
  logger.error({ err, reqId: req.id }, "request failed");
  sendError(res, 500, "INTERNAL", "internal error");
}

export const jsonErrorHandler: ErrorRequestHandler = (err, req, res, _next) => answerError(err, req, res);
