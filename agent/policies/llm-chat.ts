// The two things the llm policy needs from a model: one OpenAI-compatible chat-completions
// call, and a strict reading of the JSON decision it returns.
// Namespace import keeps the agent bundle small (see shared/bridge.ts).
import * as z from "zod";
import { formatIssuePath } from "../../shared/bridge";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatEndpoint {
  /** e.g. `${PADDOCK_BRIDGE_URL}/llm` — "/chat/completions" is appended. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  temperature?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** What the model must answer each turn. */
export const llmDecisionSchema = z.object({
  thought: z.string().min(1, { error: "must not be empty" }),
  action: z.string().min(1, { error: "must not be empty" }),
  progressDelta: z.number({ error: "must be a finite number" }),
  done: z.boolean({ error: "must be true or false" }),
  success: z.boolean({ error: "must be true or false" }).default(false),
});
export type LlmDecision = z.infer<typeof llmDecisionSchema>;

export const DECISION_FORMAT = '{"thought": string, "action": string, "progressDelta": number, "done": boolean, "success": boolean}';

const chatCompletionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }) }))
    .min(1, { error: "must contain at least one choice" }),
});

export class LlmCallError extends Error {
  override readonly name = "LlmCallError";
  constructor(
    message: string,
    /** HTTP status and error code of a refused call (the bridge's `{ error: { code } }`), and its Retry-After in seconds. */
    readonly refusal?: { status: number; code?: string; retryAfterSeconds?: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Returns the content of the first choice. Throws LlmCallError for transport/HTTP problems. */
export async function requestChatCompletion(endpoint: ChatEndpoint, messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
  const url = `${endpoint.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  const timeout = AbortSignal.timeout(endpoint.timeoutMs ?? 60_000);
  const body = {
    model: endpoint.model,
    messages,
    response_format: { type: "json_object" },
    ...(endpoint.temperature === undefined ? {} : { temperature: endpoint.temperature }),
  };

  let response: Response;
  try {
    response = await (endpoint.fetch ?? fetch)(url, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new LlmCallError(`cannot reach the LLM endpoint ${url}: ${error instanceof Error ? error.message : String(error)}`, undefined, {
      cause: error,
    });
  }
  const raw = await response.text();
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
    throw new LlmCallError(`LLM endpoint answered HTTP ${response.status}: ${raw.trim().slice(0, 300) || response.statusText}`, {
      status: response.status,
      ...errorCodeOf(raw),
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new LlmCallError(`LLM endpoint answered with non-JSON: ${raw.slice(0, 200)}`);
  }
  const parsed = chatCompletionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LlmCallError(
      `LLM endpoint answered an unexpected shape (${issue ? `${formatIssuePath(issue.path)}: ${issue.message}` : "?"})`,
    );
  }
  return parsed.data.choices[0]?.message.content ?? "";
}

function errorCodeOf(raw: string): { code?: string } {
  try {
    const code = (JSON.parse(raw) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? { code } : {};
  } catch {
    return {};
  }
}

export type DecisionReading = { ok: true; decision: LlmDecision } | { ok: false; problem: string };

/** Reads a model reply; a bad reply becomes a problem description to send back, never a throw. */
export function readDecision(content: string): DecisionReading {
  let json: unknown;
  try {
    // Some models wrap JSON in a Markdown fence even in JSON mode.
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
  } catch {
    return { ok: false, problem: `the reply is not JSON (starts with ${JSON.stringify(content.slice(0, 80))})` };
  }
  const parsed = llmDecisionSchema.safeParse(json);
  if (parsed.success) return { ok: true, decision: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: issue ? `${formatIssuePath(issue.path) || "reply"}: ${issue.message}` : "invalid reply" };
}
