// LLM access for agents: an OpenAI-compatible chat-completions endpoint on the bridge. The agent
// authenticates with its run token; Paddock forwards the call with its own LLM_API_KEY (which never
// enters a sandbox) and charges the tokens used to the run's credits, so a run's credits are its
// spend. Only whole JSON answers: a streamed answer could not be size-capped or charged reliably.
import type { Request, Response } from "express";
import { z } from "zod";
import { config } from "../config";
import { db } from "../lib/db";
import { AppError } from "../lib/errors";
import { sendError, zodToAppError } from "../lib/http-errors";
import { logger } from "../lib/logger";
import { spendCredits } from "../domain/sandbox/credits";

const chatRequestSchema = z.looseObject({
  messages: z
    .array(z.looseObject({ role: z.string({ error: "must be a string" }) }), { error: "must be an array of chat messages" })
    .min(1, { error: "must contain at least one message" }),
  stream: z.boolean({ error: "must be true or false" }).optional(),
});

const usageSchema = z.object({
  usage: z
    .object({
      total_tokens: z.number().int().nonnegative().optional(),
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** POST /llm/chat/completions */
export async function forwardChatCompletion(req: Request, res: Response): Promise<void> {
  const baseUrl = config.LLM_BASE_URL;
  if (!baseUrl) {
    return sendError(
      res,
      503,
      "LLM_NOT_CONFIGURED",
      "LLM is not configured on this Paddock: the operator sets LLM_BASE_URL (and LLM_API_KEY) on the server",
    );
  }
  const parsed = chatRequestSchema.safeParse(req.body);
  if (!parsed.success) throw zodToAppError(parsed.error);
  if (parsed.data.stream) {
    throw new AppError("BAD_REQUEST", "stream: streaming is not supported by the bridge; omit stream or send false", { field: "stream" });
  }
  const sandboxId = req.bridgeRun!.id;
  const run = await db.sandbox.findUniqueOrThrow({
    where: { id: sandboxId },
    select: { creditBudget: true, creditsSpent: true, agentProfile: { select: { model: true } } },
  });
  const remaining = run.creditBudget - run.creditsSpent;
  if (config.LLM_CENTS_PER_1K_TOKENS > 0 && remaining <= 0) {
    throw new AppError("INSUFFICIENT_FUNDS", "the run has no credits left for LLM calls (add credits to the run to continue)", {
      details: { remaining },
    });
  }
  // The run's agent profile names the model: the operator's choice, and what the price is set for.
  const payload = JSON.stringify({ ...parsed.data, model: run.agentProfile.model });
  const payloadBytes = Buffer.byteLength(payload);
  if (payloadBytes > config.LLM_MAX_BODY_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `body: the chat request is ${payloadBytes} bytes; the limit is ${config.LLM_MAX_BODY_BYTES}`, {
      field: "body",
    });
  }

  const gone = new AbortController();
  res.on("close", () => gone.abort());
  let upstream: globalThis.Response;
  let text: string;
  try {
    upstream = await fetch(`${baseUrl.replace(/\/+$/, "")}/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(config.LLM_API_KEY ? { authorization: `Bearer ${config.LLM_API_KEY}` } : {}),
      },
      body: payload,
      signal: AbortSignal.any([gone.signal, AbortSignal.timeout(config.LLM_TIMEOUT_MS)]),
    });
    text = await readCapped(upstream, config.LLM_MAX_BODY_BYTES);
  } catch (err) {
    if (gone.signal.aborted) return;
    const message = err instanceof TooLarge ? err.message : "the LLM endpoint could not be reached or did not answer in time";
    logger.warn({ err, sandboxId }, "LLM call failed");
    return sendError(res, 502, "LLM_UNAVAILABLE", message);
  }

  if (!upstream.ok) return relayRefusal(res, upstream.status, text, sandboxId);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return sendError(res, 502, "LLM_UNAVAILABLE", "the LLM endpoint answered with something that is not JSON");
  }

  const tokens = tokensUsed(answer, payloadBytes + Buffer.byteLength(text));
  const cost = Math.ceil((tokens * config.LLM_CENTS_PER_1K_TOKENS) / 1000);
  if (cost > 0) {
    const spent = await spendCredits(db, {
      sandboxId,
      amount: cost,
      reason: `LLM ${run.agentProfile.model}: ${tokens} tokens`,
      upToRemaining: true,
    });
    res.setHeader("Paddock-Credits-Remaining", String(spent.creditsRemaining));
  }
  res.setHeader("Paddock-LLM-Tokens", String(tokens));
  res.json(answer);
}

/** The endpoint's own token count; without one, about four bytes of request and answer per token. */
function tokensUsed(answer: unknown, bytes: number): number {
  const usage = usageSchema.safeParse(answer).data?.usage;
  const counted = usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);
  return counted > 0 ? counted : Math.ceil(bytes / 4);
}

/**
 * A refusal about the request (bad model input, rate limit) reaches the agent with its status; one
 * about Paddock's own key or the endpoint's health is the operator's problem and becomes a 502,
 * so an agent never mistakes it for its own token being rejected.
 */
function relayRefusal(res: Response, status: number, text: string, sandboxId: string): void {
  const upstreamMessage = readErrorMessage(text);
  if (status === 401 || status === 403 || status >= 500) {
    logger.warn({ sandboxId, status, upstreamMessage }, "LLM endpoint refused the call");
    return sendError(res, 502, "LLM_UNAVAILABLE", `the LLM endpoint answered HTTP ${status}`);
  }
  sendError(res, status, "LLM_REJECTED", `the LLM endpoint refused the request (HTTP ${status}): ${upstreamMessage}`.slice(0, 1000));
}

function readErrorMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof json.error === "string" ? json.error : (json.error?.message ?? json.message);
    if (typeof message === "string") return message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 300) || "no details";
}

class TooLarge extends Error {}

async function readCapped(response: globalThis.Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new TooLarge(`the LLM answer is larger than ${maxBytes} bytes (LLM_MAX_BODY_BYTES)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
