// PaddockAgentClient: a typed client for the agent bridge (shared/bridge.ts), for agents written
// in TypeScript/JavaScript. It depends only on fetch, FormData/Blob and zod, so it bundles into
// a single file that runs in any sandbox with Node 20.
//
// Files under agent/ import shared/ by relative path, not the @shared alias: the CLI runs via
// tsx from any working directory, and tsx only applies tsconfig paths found from the cwd.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import {
  ARTIFACT_FILE_FIELD,
  BRIDGE_IDEMPOTENCY_HEADER,
  BRIDGE_PATHS,
  ackResponseSchema,
  artifactResponseSchema,
  bridgeErrorBodySchema,
  completeResponseSchema,
  emailResponseSchema,
  eventsResponseSchema,
  heartbeatResponseSchema,
  parseBridgeConnectionEnv,
  paymentResponseSchema,
  progressResponseSchema,
  promptsResponseSchema,
  runInfoSchema,
  spendCreditsResponseSchema,
  type AckResponse,
  type ArtifactKind,
  type ArtifactResponse,
  type CompleteResponse,
  type CompletionOutcome,
  type EmailRequest,
  type EmailResponse,
  type EventInput,
  type EventKind,
  type EventPayload,
  type EventsResponse,
  type HeartbeatResponse,
  type PaymentRequest,
  type PaymentResponse,
  type ProgressResponse,
  type Prompt,
  type RunInfo,
  type SpendCreditsResponse,
} from "../shared/bridge";
import { abortableSleep } from "./abortable-sleep";

export { createEventBatcher, type EventBatcher, type EventBatcherOptions } from "./event-batcher";

/** A failed bridge call. `status` is 0 when no HTTP answer arrived (network, timeout, abort). */
export class BridgeError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "BridgeError";
    this.status = status;
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
  }
}

export function isBridgeError(e: unknown, code?: string): e is BridgeError {
  return e instanceof BridgeError && (code === undefined || e.code === code);
}

export interface RetryOptions {
  /**
   * How long one call keeps retrying network errors and 429/500/502/503/504 before it gives
   * up: long enough to ride through an API restart or a deploy. Defaults to
   * $PADDOCK_RETRY_SECONDS, else 60 s.
   */
  budgetMs: number;
  /** Cap on extra attempts after the first one, on top of the budget (default: no cap). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface PaddockAgentClientOptions {
  /** Bridge base URL including /api/agent/v1, i.e. PADDOCK_BRIDGE_URL. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  /** Per-request timeout; long-polls add their wait on top. */
  timeoutMs?: number;
  /** Aborts every in-flight and future call, e.g. on SIGTERM. */
  signal?: AbortSignal;
}

export interface UploadArtifactInput {
  filename: string;
  content: Buffer | Uint8Array;
  contentType: string;
  kind?: ArtifactKind;
  caption?: string;
}

export const RETRY_SECONDS_ENV = "PADDOCK_RETRY_SECONDS";
const DEFAULT_RETRY_BUDGET_MS = 60_000;
const DEFAULT_RETRY: Omit<RetryOptions, "budgetMs"> = { retries: Number.POSITIVE_INFINITY, baseDelayMs: 250, maxDelayMs: 5_000 };
/** Code of the bridge's answer to a retry whose first attempt is still being processed. */
export const REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS";

/** The retry budget from $PADDOCK_RETRY_SECONDS (whole or fractional seconds), else 60 s. */
export function retryBudgetFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env[RETRY_SECONDS_ENV]?.trim();
  if (!raw) return DEFAULT_RETRY_BUDGET_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`${RETRY_SECONDS_ENV} must be a number of seconds >= 0, got "${raw}"`);
  }
  return seconds * 1_000;
}
const DEFAULT_TIMEOUT_MS = 30_000;

interface RequestSpec<T> {
  method: "GET" | "POST";
  path: string;
  schema: z.ZodType<T>;
  json?: unknown;
  /** Built per attempt: a consumed body cannot be sent twice. */
  form?: () => FormData;
  query?: Record<string, string>;
  extraTimeoutMs?: number;
}

export class PaddockAgentClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: PaddockAgentClientOptions) {
    if (!options.baseUrl) throw new Error("PaddockAgentClient: baseUrl is required (PADDOCK_BRIDGE_URL)");
    if (!options.token) throw new Error("PaddockAgentClient: token is required (PADDOCK_TOKEN)");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.retry = { ...DEFAULT_RETRY, budgetMs: retryBudgetFromEnv(), ...options.retry };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.signal = options.signal;
  }

  /** Reads PADDOCK_BRIDGE_URL and PADDOCK_TOKEN; throws naming whichever is missing. */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: Omit<PaddockAgentClientOptions, "baseUrl" | "token"> = {},
  ): PaddockAgentClient {
    const { PADDOCK_BRIDGE_URL, PADDOCK_TOKEN } = parseBridgeConnectionEnv(env);
    const retry = { budgetMs: retryBudgetFromEnv(env), ...options.retry };
    return new PaddockAgentClient({ ...options, retry, baseUrl: PADDOCK_BRIDGE_URL, token: PADDOCK_TOKEN });
  }

  run(): Promise<RunInfo> {
    return this.request({ method: "GET", path: BRIDGE_PATHS.run, schema: runInfoSchema });
  }

  events(batch: EventInput[]): Promise<EventsResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.events, schema: eventsResponseSchema, json: { events: batch } });
  }

  event<K extends EventKind>(kind: K, payload: EventPayload<K>, at?: Date): Promise<EventsResponse> {
    return this.events([toEventInput(kind, payload, at)]);
  }

  progress(value: number, note?: string): Promise<ProgressResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.progress, schema: progressResponseSchema, json: { value, note } });
  }

  uploadArtifact(input: UploadArtifactInput): Promise<ArtifactResponse> {
    const form = () => {
      const data = new FormData();
      if (input.kind) data.set("kind", input.kind);
      if (input.caption !== undefined) data.set("caption", input.caption);
      // Text fields first: streaming multipart parsers see them before the file part.
      // Blob copies the bytes, so any backing buffer works; the DOM typings only accept ArrayBuffer.
      const bytes = input.content as Uint8Array<ArrayBuffer>;
      data.set(ARTIFACT_FILE_FIELD, new Blob([bytes], { type: input.contentType }), input.filename);
      return data;
    };
    return this.request({ method: "POST", path: BRIDGE_PATHS.artifacts, schema: artifactResponseSchema, form });
  }

  /** Pending prompts; with waitSeconds > 0 the server holds the request until one arrives. */
  async prompts(options: { waitSeconds?: number } = {}): Promise<Prompt[]> {
    const wait = Math.max(0, Math.floor(options.waitSeconds ?? 0));
    const res = await this.request({
      method: "GET",
      path: BRIDGE_PATHS.prompts,
      schema: promptsResponseSchema,
      query: { wait: String(wait) },
      extraTimeoutMs: wait * 1_000,
    });
    return res.prompts;
  }

  ack(id: string, response?: string): Promise<AckResponse> {
    const path = BRIDGE_PATHS.promptAck.replace(":id", encodeURIComponent(id));
    return this.request({ method: "POST", path, schema: ackResponseSchema, json: { response } });
  }

  /** Throws BridgeError with code INSUFFICIENT_FUNDS (409) when the budget cannot cover it. */
  spendCredits(amount: number, reason: string): Promise<SpendCreditsResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.creditsSpend, schema: spendCreditsResponseSchema, json: { amount, reason } });
  }

  email(input: EmailRequest): Promise<EmailResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.emails, schema: emailResponseSchema, json: input });
  }

  payment(input: PaymentRequest): Promise<PaymentResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.payments, schema: paymentResponseSchema, json: input });
  }

  complete(outcome: CompletionOutcome, summary?: string): Promise<CompleteResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.complete, schema: completeResponseSchema, json: { outcome, summary } });
  }

  heartbeat(): Promise<HeartbeatResponse> {
    return this.request({ method: "POST", path: BRIDGE_PATHS.heartbeat, schema: heartbeatResponseSchema, json: {} });
  }

  private async request<T>(spec: RequestSpec<T>): Promise<T> {
    const url = new URL(this.baseUrl + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, value);
    // One key per logical call, identical across retries (see BRIDGE_IDEMPOTENCY_HEADER): a write
    // whose answer was lost to a restart is answered from the first attempt, not applied twice.
    const idempotencyKey = spec.method === "POST" ? randomUUID() : undefined;
    const giveUpAt = Date.now() + this.retry.budgetMs;

    for (let attempt = 0; ; attempt++) {
      const outcome = await this.send(url, spec, idempotencyKey).then(
        (response) => ({ response }),
        (error: unknown) => {
          if (this.signal?.aborted) {
            throw new BridgeError(0, "ABORTED", `${spec.method} ${spec.path} aborted`, { cause: error });
          }
          return { error };
        },
      );
      const response = "response" in outcome ? outcome.response : undefined;
      if (response?.ok) return this.parseSuccess(response, spec);

      const failure = response ? await toBridgeError(response, spec) : networkError(url, "error" in outcome ? outcome.error : undefined);
      const delay = this.backoffMs(attempt, response);
      const retryable = !response || isRetryable(response.status, failure.code);
      if (!retryable || attempt >= this.retry.retries || Date.now() + delay > giveUpAt) throw failure;
      await abortableSleep(delay, this.signal).catch((error: unknown) => {
        throw new BridgeError(0, "ABORTED", `${spec.method} ${spec.path} aborted`, { cause: error });
      });
    }
  }

  private send(url: URL, spec: RequestSpec<unknown>, idempotencyKey: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    if (idempotencyKey) headers[BRIDGE_IDEMPOTENCY_HEADER] = idempotencyKey;
    let body: BodyInit | undefined;
    if (spec.form) {
      body = spec.form(); // fetch sets the multipart boundary itself
    } else if (spec.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(spec.json);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs + (spec.extraTimeoutMs ?? 0));
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    return this.fetchImpl(url, { method: spec.method, headers, body, signal });
  }

  private async parseSuccess<T>(response: Response, spec: RequestSpec<T>): Promise<T> {
    const body: unknown = await response.json().catch(() => undefined);
    const parsed = spec.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new BridgeError(
      response.status,
      "BAD_RESPONSE",
      `unexpected response from ${spec.method} ${spec.path}: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "not JSON"}`,
    );
  }

  /** Retry-After when the server names a pause, else capped exponential backoff with full jitter. */
  private backoffMs(attempt: number, response: Response | undefined): number {
    const retryAfter = Number(response?.headers.get("retry-after") ?? Number.NaN);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1_000;
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** Math.min(attempt, 30));
    // Full jitter: agents cut off together by a restart come back spread out, not in waves.
    return Math.random() * ceiling;
  }
}

export function toEventInput<K extends EventKind>(kind: K, payload: EventPayload<K>, at?: Date): EventInput {
  return { kind, payload, ...(at ? { at: at.toISOString() } : {}) } as EventInput;
}

// 500 too: with the idempotency key a repeat is harmless, and a bridge whose database blinked
// answers 500 for a moment. 501, 505… are answers that will not change.
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

function isRetryable(status: number, code: string): boolean {
  return RETRYABLE_STATUSES.has(status) || (status === 409 && code === REQUEST_IN_PROGRESS);
}

function networkError(url: URL, error: unknown): BridgeError {
  return new BridgeError(0, "NETWORK_ERROR", `cannot reach the Paddock bridge at ${url.origin}: ${describe(error)}`, { cause: error });
}

async function toBridgeError(response: Response, spec: RequestSpec<unknown>): Promise<BridgeError> {
  const raw = await response.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = bridgeErrorBodySchema.safeParse(json);
  if (parsed.success) {
    const { code, message, field } = parsed.data.error;
    return new BridgeError(response.status, code, message, field === undefined ? {} : { field });
  }
  const detail = raw.trim().slice(0, 200) || response.statusText;
  return new BridgeError(
    response.status,
    `HTTP_${response.status}`,
    `${spec.method} ${spec.path} failed with HTTP ${response.status}: ${detail}`,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
