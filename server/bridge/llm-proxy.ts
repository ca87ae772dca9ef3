// LLM access for agents: an OpenAI-compatible chat-completions endpoint on the bridge. The agent
// authenticates with its run token; Paddock forwards the call with a key of its own (a credential of
// the pool, or LLM_API_KEY; none ever enters a sandbox) and charges the tokens used to the run's
// credits, so a run's credits are its spend. Only whole JSON answers: a streamed answer could not be
// size-capped or charged reliably.
import type { Request, Response } from "express";
import { z } from "zod";
import { config } from "../config";
import { db } from "../lib/db";
import { AppError } from "../lib/errors";
import { sendError, zodToAppError } from "../lib/http-errors";
import { logger } from "../lib/logger";
import {
  assertWithinTokenBudget,
  chargeLlmCall,
  coolDownLlmCredential,
  nextLlmCredential,
  recordLlmFailure,
  type LlmCooldown,
  type LlmEndpoint,
  type LlmTokens,
  type NextLlmCredential,
} from "../domain/llm/pool";
import { classifyLlmRefusal } from "../domain/llm/refusals";

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
  const parsed = chatRequestSchema.safeParse(req.body);
  if (!parsed.success) throw zodToAppError(parsed.error);
  if (parsed.data.stream) {
    throw new AppError("BAD_REQUEST", "stream: streaming is not supported by the bridge; omit stream or send false", { field: "stream" });
  }
  const runId = req.bridgeRun!.id;
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    select: { creditBudget: true, creditsSpent: true, agentId: true, agent: { select: { model: true } } },
  });
  const remaining = run.creditBudget - run.creditsSpent;
  if (config.LLM_CENTS_PER_1K_TOKENS > 0 && remaining <= 0) {
    throw new AppError("INSUFFICIENT_FUNDS", "the run has no credits left for LLM calls (add credits to the run to continue)", {
      details: { remaining },
    });
  }
  await assertWithinTokenBudget(db, runId);
  // The run's agent names the model: the operator's choice, and what the price is set for.
  const payload = JSON.stringify({ ...parsed.data, model: run.agent.model });
  const payloadBytes = Buffer.byteLength(payload);
  if (payloadBytes > config.LLM_MAX_BODY_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `body: the chat request is ${payloadBytes} bytes; the limit is ${config.LLM_MAX_BODY_BYTES}`, {
      field: "body",
    });
  }

  const gone = new AbortController();
  res.on("close", () => gone.abort());
  // The same request goes to each usable credential in turn until one answers (server/domain/llm/pool.ts).
  const tried: string[] = [];
  const cooled: LlmCooldown[] = [];
  let keyRefused: { endpoint: LlmEndpoint; status: number } | undefined;
  for (;;) {
    const next = await nextLlmCredential(db, {
      now: new Date(),
      tried,
      secret: config.AUTH_SECRET,
      cooldownSeconds: config.LLM_COOLDOWN_SECONDS,
      fallback: config.LLM_BASE_URL ? { baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY } : null,
    });
    if (!next.endpoint) return sendNoCredential(res, next, cooled, keyRefused);
    const endpoint = next.endpoint;
    tried.push(endpoint.key);

    let upstream: globalThis.Response;
    let text: string;
    try {
      upstream = await fetch(`${endpoint.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
        },
        body: payload,
        signal: AbortSignal.any([gone.signal, AbortSignal.timeout(config.LLM_TIMEOUT_MS)]),
      });
      text = await readCapped(upstream, config.LLM_MAX_BODY_BYTES);
    } catch (err) {
      if (gone.signal.aborted) return;
      const message = err instanceof TooLarge ? err.message : "the LLM endpoint could not be reached or did not answer in time";
      logger.warn({ err, runId, credential: endpoint.name }, "LLM call failed");
      if (endpoint.credentialId) await recordLlmFailure(db, { id: endpoint.credentialId, now: new Date(), error: message });
      return sendError(res, 502, "LLM_UNAVAILABLE", message);
    }

    if (!upstream.ok) {
      const now = new Date();
      const refusal = classifyLlmRefusal({
        status: upstream.status,
        body: text,
        headers: upstream.headers,
        now,
        defaultCooldownSeconds: config.LLM_COOLDOWN_SECONDS,
      });
      if (refusal.kind === "other") {
        if (endpoint.credentialId && upstream.status >= 500) {
          await recordLlmFailure(db, { id: endpoint.credentialId, now, error: `HTTP ${upstream.status}: ${refusal.message}` });
        }
        return relayRefusal(res, upstream.status, refusal.message, runId);
      }
      // Rate limited, out of quota, or its key refused: rest this credential, try the next one.
      logger.warn({ runId, credential: endpoint.name, status: upstream.status, code: refusal.code }, "LLM credential refused the call");
      const until = new Date(now.getTime() + refusal.cooldownSeconds * 1000);
      const error = `HTTP ${upstream.status} ${refusal.code}: ${refusal.message}`;
      const cooledUntil = endpoint.credentialId
        ? await coolDownLlmCredential(db, { id: endpoint.credentialId, now, until, error, rateLimited: refusal.kind === "rate_limited" })
        : until;
      if (refusal.kind === "key_refused") keyRefused = { endpoint, status: upstream.status };
      else if (cooledUntil) cooled.push({ name: endpoint.name, until: cooledUntil });
      continue;
    }

    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return sendError(res, 502, "LLM_UNAVAILABLE", "the LLM endpoint answered with something that is not JSON");
    }
    const tokens = tokensUsed(answer, payloadBytes + Buffer.byteLength(text));
    const charged = await chargeLlmCall(db, {
      runId,
      agentId: run.agentId,
      model: run.agent.model,
      endpoint,
      tokens,
      costCents: Math.ceil((tokens.totalTokens * config.LLM_CENTS_PER_1K_TOKENS) / 1000),
      attempts: tried.length,
      now: new Date(),
    });
    if (charged.creditsRemaining !== null) res.setHeader("Paddock-Credits-Remaining", String(charged.creditsRemaining));
    res.setHeader("Paddock-LLM-Tokens", String(tokens.totalTokens));
    res.json(answer);
    return;
  }
}

/**
 * No credential is left for this call: all cooling down (503 with Retry-After, naming each and when
 * it is back), the last one's key refused (502, the operator's problem), or none usable at all (503).
 */
function sendNoCredential(
  res: Response,
  none: Extract<NextLlmCredential, { endpoint: null }>,
  cooled: LlmCooldown[],
  keyRefused: { endpoint: LlmEndpoint; status: number } | undefined,
): void {
  const now = Date.now();
  const cooling = [...cooled, ...none.cooling].sort((a, b) => a.until.getTime() - b.until.getTime());
  const soonest = cooling[0];
  if (soonest) {
    const seconds = Math.max(1, Math.ceil((soonest.until.getTime() - now) / 1000));
    res.setHeader("Retry-After", String(seconds));
    const list = cooling
      .slice(0, 5)
      .map((c) => `"${c.name}" until ${c.until.toISOString()}`)
      .join(", ");
    return sendError(
      res,
      503,
      "LLM_COOLING_DOWN",
      `every LLM credential is cooling down after a rate limit, an exhausted quota or a refused key (${list}${cooling.length > 5 ? ", …" : ""}); ` +
        `the first is back in ${seconds} s: retry then`,
    );
  }
  if (keyRefused) {
    return sendError(res, 502, "LLM_UNAVAILABLE", `the LLM endpoint answered HTTP ${keyRefused.status}`);
  }
  if (!none.anyConfigured) {
    return sendError(
      res,
      503,
      "LLM_NOT_CONFIGURED",
      "LLM is not configured on this Paddock: an admin adds an LLM credential, or the operator sets LLM_BASE_URL (and LLM_API_KEY) on the server",
    );
  }
  const opens = none.scheduled[0];
  sendError(
    res,
    503,
    "LLM_NOT_CONFIGURED",
    `no LLM credential is usable now (each is disabled or outside its window)${opens ? `; "${opens.name}" becomes valid at ${opens.from.toISOString()}` : ""}`,
  );
}

/** The endpoint's own token count; without one, about four bytes of request and answer per token. */
function tokensUsed(answer: unknown, bytes: number): LlmTokens {
  const usage = usageSchema.safeParse(answer).data?.usage;
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  const counted = usage?.total_tokens ?? promptTokens + completionTokens;
  return counted > 0
    ? { promptTokens, completionTokens, totalTokens: counted, estimated: false }
    : { promptTokens, completionTokens, totalTokens: Math.ceil(bytes / 4), estimated: true };
}

/**
 * A refusal about the request (bad model input) reaches the agent with its status; one about the
 * endpoint's health is the operator's problem and becomes a 502, so an agent never mistakes it for
 * its own token being rejected. (Rate limits and refused keys move on to the next credential.)
 */
function relayRefusal(res: Response, status: number, upstreamMessage: string, runId: string): void {
  if (status >= 500) {
    logger.warn({ runId, status, upstreamMessage }, "LLM endpoint refused the call");
    return sendError(res, 502, "LLM_UNAVAILABLE", `the LLM endpoint answered HTTP ${status}`);
  }
  sendError(res, status, "LLM_REJECTED", `the LLM endpoint refused the request (HTTP ${status}): ${upstreamMessage}`.slice(0, 1000));
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
