// The agent bridge contract: the small HTTP API that code inside a sandbox uses to report to
// Paddock. The server's bridge (server/bridge) and the agent SDK (agent/sdk.ts) both import
// these schemas, so a change here is a change to both sides at once.
//
// Conventions every endpoint follows:
// - Base path BRIDGE_BASE_PATH; every request carries `Authorization: Bearer <token>`, a token
//   scoped to exactly one run.
// - Request and response bodies are JSON, except POST /artifacts (multipart/form-data).
// - Errors are HTTP 4xx/5xx with a `BridgeErrorBody`. Clients retry only network errors, 5xx
//   and 429; a 4xx means the request itself is wrong and repeating it cannot help.
// - Which endpoint records which feed event, so agents never send duplicates:
//     POST /progress  → the server appends a `progress` event (agents do not send one);
//     POST /emails    → the server appends an `email` event;
//     POST /payments  → the server appends a `payment` event;
//     POST /complete  → the server appends a `status` event for the transition;
//     POST /artifacts → no event: the agent decides whether to show it, e.g. with a
//                       `screenshot` event that references the artifact id and a caption.
//   A `progress` event posted through /events is informational only; only POST /progress moves
//   the run's currentProgress.
// Namespace import, not `{ z }`: it lets esbuild drop the zod locales nobody uses, which
// shrinks the agent bundle (agent/bundle.ts) from ~800 KB to ~250 KB.
import * as z from "zod";
import { RUN_STATUSES, type RunStatus } from "./run-status";

export const BRIDGE_BASE_PATH = "/api/agent/v1";

/** Paths relative to BRIDGE_BASE_PATH. `:id` is a prompt id. */
export const BRIDGE_PATHS = {
  run: "/run",
  events: "/events",
  progress: "/progress",
  artifacts: "/artifacts",
  prompts: "/prompts",
  promptAck: "/prompts/:id/ack",
  creditsSpend: "/credits/spend",
  emails: "/emails",
  payments: "/payments",
  complete: "/complete",
  heartbeat: "/heartbeat",
} as const;

/**
 * The SDK sends this header on every POST with one value per logical call, repeated unchanged
 * on retries. A retry after a lost response could otherwise spend credits or append events
 * twice; a server that remembers recent keys per run can answer the repeat without redoing it.
 */
export const BRIDGE_IDEMPOTENCY_HEADER = "Idempotency-Key";

/** Multipart field names of POST /artifacts. */
export const ARTIFACT_FILE_FIELD = "file";

/** Default for the server's BRIDGE_EVENT_BATCH_MAX; the server may configure another cap. */
export const DEFAULT_EVENT_BATCH_MAX = 500;
/** Longest long-poll GET /prompts accepts, in seconds. */
export const PROMPTS_MAX_WAIT_SECONDS = 25;

/** Size caps, in characters, so oversized input is refused with the field's name. */
export const BRIDGE_LIMITS = {
  message: 8_192,
  text: 8_192,
  stack: 16_384,
  name: 200,
  detail: 4_096,
  note: 1_000,
  caption: 500,
  reason: 500,
  id: 128,
  status: 64,
  recipient: 200,
  subject: 300,
  emailBody: 65_536,
  memo: 500,
  summary: 8_192,
  promptResponse: 8_192,
  /** tool_call input/output, measured as JSON text. */
  toolIo: 16_384,
} as const;

// ───────────────────────────── environment ─────────────────────────────

/** Variables every sandbox process receives from the provider that started it. */
export const AGENT_ENV = {
  /** Full base URL of the bridge, including BRIDGE_BASE_PATH. */
  BRIDGE_URL: "PADDOCK_BRIDGE_URL",
  TOKEN: "PADDOCK_TOKEN",
  RUN_ID: "PADDOCK_RUN_ID",
  /** Policy of the reference agent: "demo" or "llm". */
  POLICY: "PADDOCK_POLICY",
  MODEL: "PADDOCK_MODEL",
  /** The run's agentConfig as JSON text. */
  AGENT_CONFIG: "PADDOCK_AGENT_CONFIG",
} as const;

/** Path under PADDOCK_BRIDGE_URL of the OpenAI-compatible LLM endpoint (append /chat/completions). */
export const BRIDGE_LLM_PATH = "/llm";

export const agentPolicies = ["demo", "llm"] as const;
export const agentPolicySchema = z.enum(agentPolicies);
export type AgentPolicy = z.infer<typeof agentPolicySchema>;

const jsonObjectText = z.string().transform((text, ctx) => {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below with the same message as a non-object value.
  }
  ctx.addIssue({ code: "custom", message: 'must be a JSON object, e.g. {"stepMs":500}' });
  return z.NEVER;
});

export const agentEnvSchema = z.object({
  PADDOCK_BRIDGE_URL: z.url({ error: "must be the bridge URL, e.g. http://host:3000/api/agent/v1" }),
  PADDOCK_TOKEN: z.string({ error: "is required: the run's bridge token" }).min(1, { error: "must not be empty" }),
  PADDOCK_RUN_ID: z.string().optional(),
  PADDOCK_POLICY: agentPolicySchema.optional(),
  PADDOCK_MODEL: z.string().optional(),
  PADDOCK_AGENT_CONFIG: jsonObjectText.optional(),
});
export type AgentEnv = z.infer<typeof agentEnvSchema>;

export const bridgeConnectionEnvSchema = agentEnvSchema.pick({ PADDOCK_BRIDGE_URL: true, PADDOCK_TOKEN: true });
export type BridgeConnectionEnv = z.infer<typeof bridgeConnectionEnvSchema>;

/**
 * Parses the sandbox environment. Empty values count as unset, because providers and shells
 * often pass `VAR=` for "not configured". Throws one Error listing every problem.
 */
export function parseAgentEnv(env: Record<string, string | undefined>): AgentEnv {
  return parseEnvWith(agentEnvSchema, env);
}

/** Only what a bridge client needs (the CLI, PaddockAgentClient.fromEnv). */
export function parseBridgeConnectionEnv(env: Record<string, string | undefined>): BridgeConnectionEnv {
  return parseEnvWith(bridgeConnectionEnvSchema, env);
}

function parseEnvWith<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${formatIssuePath(issue.path) || "(env)"}: ${issue.message}`);
  throw new Error(`Invalid agent environment:\n${lines.join("\n")}`);
}

// ───────────────────────────── agent configs ─────────────────────────────

/** agentConfig of the demo policy. progressPerStep is resolved against the run's target. */
export const demoAgentConfigSchema = z.object({
  stepMs: z.number().int().min(10).max(60_000).default(500),
  /** Defaults to 10% of the run's targetValue. */
  progressPerStep: z.number().positive().optional(),
  /** false makes the demo stall below the target and complete as failed. */
  succeed: z.boolean().default(true),
  creditsPerStep: z.number().int().min(0).default(1),
  /** Upload a screenshot every N steps; 0 disables screenshots. */
  screenshotEvery: z.number().int().min(0).default(5),
});
export type DemoAgentConfig = z.infer<typeof demoAgentConfigSchema>;

/** agentConfig of the llm policy. */
export const llmAgentConfigSchema = z.object({
  /** Model calls before the agent gives up and completes as failed. */
  maxSteps: z.number().int().min(1).max(1_000).default(30),
  /** Extra credits per call on top of the tokens the bridge charges for each LLM call. */
  creditsPerCall: z.number().int().min(0).default(0),
  /** Pause between model calls. */
  stepMs: z.number().int().min(0).max(60_000).default(1_000),
  temperature: z.number().min(0).max(2).optional(),
  /** Consecutive malformed replies or failed calls tolerated before completing as failed. */
  maxConsecutiveFailures: z.number().int().min(1).max(20).default(3),
});
export type LlmAgentConfig = z.infer<typeof llmAgentConfigSchema>;

// ───────────────────────────── events ─────────────────────────────

export const eventKinds = [
  "log",
  "thought",
  "action",
  "tool_call",
  "progress",
  "screenshot",
  "email",
  "payment",
  "error",
  "status",
] as const;
export const eventKindSchema = z.enum(eventKinds);
export type EventKind = z.infer<typeof eventKindSchema>;

const text = (max: number) => z.string().max(max, { error: `must be at most ${max} characters` });
const requiredText = (max: number) => text(max).min(1, { error: "must not be empty" });
const cents = () =>
  z.number().int({ error: "must be a whole number of cents" }).positive({ error: "must be greater than 0" }).max(Number.MAX_SAFE_INTEGER);
const progressValue = () => z.number({ error: "must be a finite number" }).min(0, { error: "must be >= 0" });

/** Any JSON value whose serialized form fits in `max` characters. */
const boundedJson = (max: number) =>
  z.unknown().refine((value) => value === undefined || jsonLength(value) <= max, {
    error: `must serialize to at most ${max} characters of JSON`,
  });

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY; // cycles or BigInt: not sendable as JSON at all
  }
}

export const logPayloadSchema = z.object({
  message: text(BRIDGE_LIMITS.message),
  level: z.enum(["debug", "info", "warn", "error"]).optional(),
  stream: z.enum(["stdout", "stderr"]).optional(),
});
export const thoughtPayloadSchema = z.object({ text: requiredText(BRIDGE_LIMITS.text) });
export const actionPayloadSchema = z.object({
  name: requiredText(BRIDGE_LIMITS.name),
  detail: text(BRIDGE_LIMITS.detail).optional(),
});
export const toolCallPayloadSchema = z.object({
  tool: requiredText(BRIDGE_LIMITS.name),
  input: boundedJson(BRIDGE_LIMITS.toolIo).optional(),
  output: boundedJson(BRIDGE_LIMITS.toolIo).optional(),
  durationMs: z.number().int().min(0).optional(),
});
export const progressPayloadSchema = z.object({ value: progressValue(), note: text(BRIDGE_LIMITS.note).optional() });
export const screenshotPayloadSchema = z.object({
  artifactId: requiredText(BRIDGE_LIMITS.id),
  caption: text(BRIDGE_LIMITS.caption).optional(),
});
export const emailPayloadSchema = z.object({
  to: z.email({ error: "must be an email address" }),
  subject: text(BRIDGE_LIMITS.subject),
});
export const paymentPayloadSchema = z.object({ amountCents: cents(), recipient: requiredText(BRIDGE_LIMITS.recipient) });
export const errorPayloadSchema = z.object({
  message: requiredText(BRIDGE_LIMITS.message),
  stack: text(BRIDGE_LIMITS.stack).optional(),
});
/** Agents may report their own phases here; the server uses run statuses for transitions. */
export const statusPayloadSchema = z.object({
  from: requiredText(BRIDGE_LIMITS.status).optional(),
  to: requiredText(BRIDGE_LIMITS.status),
  reason: text(BRIDGE_LIMITS.reason).optional(),
});

export const eventPayloadSchemas = {
  log: logPayloadSchema,
  thought: thoughtPayloadSchema,
  action: actionPayloadSchema,
  tool_call: toolCallPayloadSchema,
  progress: progressPayloadSchema,
  screenshot: screenshotPayloadSchema,
  email: emailPayloadSchema,
  payment: paymentPayloadSchema,
  error: errorPayloadSchema,
  status: statusPayloadSchema,
} as const satisfies Record<EventKind, z.ZodType>;

export type EventPayloads = { [K in EventKind]: z.infer<(typeof eventPayloadSchemas)[K]> };
export type EventPayload<K extends EventKind> = EventPayloads[K];

/** Client-side time of the event (ISO 8601 with offset); the server may store it or use its own clock. */
const eventAt = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp, e.g. 2030-01-01T12:00:00Z" });

function eventVariant<K extends EventKind, P extends z.ZodType>(kind: K, payload: P) {
  return z.object({ kind: z.literal(kind), payload, at: eventAt.optional() });
}

export const eventInputSchema = z.discriminatedUnion(
  "kind",
  [
    eventVariant("log", logPayloadSchema),
    eventVariant("thought", thoughtPayloadSchema),
    eventVariant("action", actionPayloadSchema),
    eventVariant("tool_call", toolCallPayloadSchema),
    eventVariant("progress", progressPayloadSchema),
    eventVariant("screenshot", screenshotPayloadSchema),
    eventVariant("email", emailPayloadSchema),
    eventVariant("payment", paymentPayloadSchema),
    eventVariant("error", errorPayloadSchema),
    eventVariant("status", statusPayloadSchema),
  ],
  { error: `must be one of: ${eventKinds.join(", ")}` },
);
export type EventInput = z.infer<typeof eventInputSchema>;

// ───────────────────────────── requests ─────────────────────────────

/** POST /events. The server builds its schema with its configured batch cap. */
export function createEventsRequestSchema(maxBatch: number = DEFAULT_EVENT_BATCH_MAX) {
  return z.object({
    events: z
      .array(eventInputSchema)
      .min(1, { error: "must contain at least one event" })
      .max(maxBatch, { error: `must contain at most ${maxBatch} events per request` }),
  });
}
export const eventsRequestSchema = createEventsRequestSchema();
export type EventsRequest = z.infer<typeof eventsRequestSchema>;

export const progressRequestSchema = z.object({ value: progressValue(), note: text(BRIDGE_LIMITS.note).optional() });
export type ProgressRequest = z.infer<typeof progressRequestSchema>;

export const artifactKinds = ["screenshot", "file"] as const;
export const artifactKindSchema = z.enum(artifactKinds);
export type ArtifactKind = z.infer<typeof artifactKindSchema>;

/** Text fields of the POST /artifacts form, next to the `file` part. */
export const artifactUploadFieldsSchema = z.object({
  kind: artifactKindSchema.default("file"),
  caption: text(BRIDGE_LIMITS.caption).optional(),
});
export type ArtifactUploadFields = z.input<typeof artifactUploadFieldsSchema>;

/** Query of GET /prompts; values arrive as strings. */
export const promptsQuerySchema = z.object({
  wait: z.coerce
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be a whole number of seconds" })
    .min(0, { error: "must be >= 0" })
    .max(PROMPTS_MAX_WAIT_SECONDS, { error: `must be at most ${PROMPTS_MAX_WAIT_SECONDS} seconds` })
    .default(0),
});
export type PromptsQuery = z.infer<typeof promptsQuerySchema>;

export const ackRequestSchema = z.object({ response: text(BRIDGE_LIMITS.promptResponse).optional() });
export type AckRequest = z.infer<typeof ackRequestSchema>;

export const spendCreditsRequestSchema = z.object({
  amount: cents(),
  reason: requiredText(BRIDGE_LIMITS.reason),
});
export type SpendCreditsRequest = z.infer<typeof spendCreditsRequestSchema>;

export const emailRequestSchema = z.object({
  to: z.email({ error: "must be an email address" }),
  subject: requiredText(BRIDGE_LIMITS.subject),
  body: text(BRIDGE_LIMITS.emailBody),
});
export type EmailRequest = z.infer<typeof emailRequestSchema>;

export const paymentRequestSchema = z.object({
  amountCents: cents(),
  recipient: requiredText(BRIDGE_LIMITS.recipient),
  currency: z
    .string()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, { error: "must be a 3-letter ISO 4217 code, e.g. USD" })
    .default("USD"),
  memo: text(BRIDGE_LIMITS.memo).optional(),
});
export type PaymentRequest = z.input<typeof paymentRequestSchema>;

export const completionOutcomes = ["succeeded", "failed"] as const satisfies readonly RunStatus[];
export const completeRequestSchema = z.object({
  outcome: z.enum(completionOutcomes, { error: 'must be "succeeded" or "failed"' }),
  summary: text(BRIDGE_LIMITS.summary).optional(),
});
export type CompleteRequest = z.infer<typeof completeRequestSchema>;
export type CompletionOutcome = CompleteRequest["outcome"];

export const heartbeatRequestSchema = z.object({});

// ───────────────────────────── responses ─────────────────────────────

export const runStatusSchema = z.enum(RUN_STATUSES);
export type { RunStatus };

export const runInfoSchema = z.object({
  id: z.string(),
  goal: z.string(),
  metric: z.string(),
  targetValue: z.number(),
  currentProgress: z.number(),
  status: runStatusSchema,
  creditBudget: z.number().int(),
  creditsSpent: z.number().int(),
  agentConfig: z.record(z.string(), z.unknown()),
  model: z.string(),
  // A plain string rather than agentPolicySchema: agents store free text, and an agent that
  // does not know a policy should still be able to read its run.
  policy: z.string(),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

export const eventsResponseSchema = z.object({ accepted: z.number().int().min(0), lastSeq: z.number().int().min(0) });
export type EventsResponse = z.infer<typeof eventsResponseSchema>;

export const progressResponseSchema = z.object({ currentProgress: z.number(), reachedTarget: z.boolean() });
export type ProgressResponse = z.infer<typeof progressResponseSchema>;

export const artifactResponseSchema = z.object({
  id: z.string(),
  kind: artifactKindSchema,
  filename: z.string(),
  size: z.number().int().min(0),
  contentType: z.string(),
});
export type ArtifactResponse = z.infer<typeof artifactResponseSchema>;

export const promptSchema = z.object({ id: z.string(), text: z.string(), createdAt: z.string() });
export type Prompt = z.infer<typeof promptSchema>;
export const promptsResponseSchema = z.object({ prompts: z.array(promptSchema) });
export type PromptsResponse = z.infer<typeof promptsResponseSchema>;

export const ackResponseSchema = z.object({ id: z.string(), status: z.literal("acknowledged") });
export type AckResponse = z.infer<typeof ackResponseSchema>;

export const spendCreditsResponseSchema = z.object({
  creditsSpent: z.number().int(),
  creditsRemaining: z.number().int(),
});
export type SpendCreditsResponse = z.infer<typeof spendCreditsResponseSchema>;

export const emailResponseSchema = z.object({ id: z.string() });
export type EmailResponse = z.infer<typeof emailResponseSchema>;
export const paymentResponseSchema = z.object({ id: z.string() });
export type PaymentResponse = z.infer<typeof paymentResponseSchema>;

export const completeResponseSchema = z.object({ status: runStatusSchema });
export type CompleteResponse = z.infer<typeof completeResponseSchema>;

export const heartbeatResponseSchema = z.object({ ok: z.literal(true) });
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

// ───────────────────────────── errors ─────────────────────────────

/**
 * Codes the bridge answers with (the server's AppError codes). Clients must tolerate codes not
 * listed here.
 */
export const bridgeErrorCodes = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INSUFFICIENT_FUNDS",
  "INVALID_TRANSITION",
  "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

export const bridgeErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type BridgeErrorBody = z.infer<typeof bridgeErrorBodySchema>;

/** `events[0].payload.message` style, the way the field is written in the request body. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`;
    const name = String(key);
    return out === "" ? name : `${out}.${name}`;
  }, "");
}

/** The 400 body for a failed validation, naming the first offending field. */
export function bridgeValidationError(error: z.ZodError): BridgeErrorBody {
  const issue = error.issues[0];
  if (!issue) return { error: { code: "BAD_REQUEST", message: "invalid request" } };
  const field = formatIssuePath(issue.path);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : "";
  return {
    error: {
      code: "BAD_REQUEST",
      message: `${field || "request body"}: ${issue.message}${more}`,
      ...(field ? { field } : {}),
    },
  };
}
