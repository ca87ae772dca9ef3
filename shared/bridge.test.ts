import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  BRIDGE_LIMITS,
  bridgeValidationError,
  completeRequestSchema,
  createEventsRequestSchema,
  demoAgentConfigSchema,
  eventInputSchema,
  eventKinds,
  parseAgentEnv,
  paymentRequestSchema,
  progressRequestSchema,
  promptsQuerySchema,
  spendCreditsRequestSchema,
  type EventKind,
} from "./bridge";

const validPayloads: Record<EventKind, unknown> = {
  log: { message: "hello", level: "info", stream: "stdout" },
  thought: { text: "thinking" },
  action: { name: "click", detail: "#submit" },
  tool_call: { tool: "search", input: { q: "x" }, output: ["a"], durationMs: 12 },
  progress: { value: 4.5, note: "halfway" },
  screenshot: { artifactId: "art_1", caption: "home page" },
  email: { to: "a@example.com", subject: "Hi" },
  payment: { amountCents: 500, recipient: "ACME" },
  error: { message: "boom", stack: "Error: boom\n    at x" },
  status: { from: "thinking", to: "acting", reason: "plan ready" },
};

/** One invalid payload per kind and the field its error must name. */
const invalidPayloads: Record<EventKind, [unknown, string]> = {
  log: [{ message: "x", level: "loud" }, "payload.level"],
  thought: [{ text: "" }, "payload.text"],
  action: [{ detail: "no name" }, "payload.name"],
  tool_call: [{ tool: "t", durationMs: -1 }, "payload.durationMs"],
  progress: [{ value: -1 }, "payload.value"],
  screenshot: [{ caption: "missing id" }, "payload.artifactId"],
  email: [{ to: "not-an-email", subject: "Hi" }, "payload.to"],
  payment: [{ amountCents: 1.5, recipient: "ACME" }, "payload.amountCents"],
  error: [{ message: "" }, "payload.message"],
  status: [{ from: "a" }, "payload.to"],
};

/** The error body the bridge would answer for this invalid value. */
function fieldOf(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value).slice(0, 100)} to be rejected`);
  return bridgeValidationError(result.error).error;
}

describe("eventInputSchema", () => {
  it.each(eventKinds)("accepts a valid %s event", (kind) => {
    const result = eventInputSchema.safeParse({ kind, payload: validPayloads[kind], at: "2030-01-01T12:00:00Z" });
    expect(result.success).toBe(true);
  });

  it.each(eventKinds)("rejects an invalid %s event and names the field", (kind) => {
    const [payload, field] = invalidPayloads[kind];
    const error = fieldOf(eventInputSchema, { kind, payload });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it("rejects an unknown kind, naming kind and listing the valid ones", () => {
    const error = fieldOf(eventInputSchema, { kind: "shout", payload: {} });
    expect(error.field).toBe("kind");
    expect(error.message).toContain("log, thought");
  });

  it("refuses an oversized log message with the limit in the message", () => {
    const error = fieldOf(createEventsRequestSchema(10), {
      events: [{ kind: "log", payload: { message: "x".repeat(BRIDGE_LIMITS.message + 1) } }],
    });
    expect(error.field).toBe("events[0].payload.message");
    expect(error.message).toContain(`at most ${BRIDGE_LIMITS.message} characters`);
  });

  it("refuses oversized tool input measured as JSON", () => {
    const error = fieldOf(eventInputSchema, {
      kind: "tool_call",
      payload: { tool: "t", input: { blob: "y".repeat(BRIDGE_LIMITS.toolIo) } },
    });
    expect(error.field).toBe("payload.input");
  });

  it("rejects a malformed timestamp", () => {
    expect(fieldOf(eventInputSchema, { kind: "thought", payload: { text: "t" }, at: "yesterday" }).field).toBe("at");
  });

  it("accepts non-finite progress nowhere", () => {
    expect(eventInputSchema.safeParse({ kind: "progress", payload: { value: Number.POSITIVE_INFINITY } }).success).toBe(false);
    expect(progressRequestSchema.safeParse({ value: Number.NaN }).success).toBe(false);
  });
});

describe("request schemas", () => {
  it("caps the batch size at the configured maximum and refuses empty batches", () => {
    const schema = createEventsRequestSchema(2);
    const event = { kind: "thought", payload: { text: "t" } };
    expect(schema.safeParse({ events: [event, event] }).success).toBe(true);
    expect(fieldOf(schema, { events: [event, event, event] }).message).toContain("at most 2 events");
    expect(fieldOf(schema, { events: [] }).field).toBe("events");
  });

  it("requires whole positive cents for spending", () => {
    expect(spendCreditsRequestSchema.safeParse({ amount: 5, reason: "step" }).success).toBe(true);
    expect(fieldOf(spendCreditsRequestSchema, { amount: 0, reason: "step" }).field).toBe("amount");
    expect(fieldOf(spendCreditsRequestSchema, { amount: 2.5, reason: "step" }).field).toBe("amount");
    expect(fieldOf(spendCreditsRequestSchema, { amount: 5 }).field).toBe("reason");
  });

  it("defaults and normalises the payment currency", () => {
    expect(paymentRequestSchema.parse({ amountCents: 100, recipient: "ACME" }).currency).toBe("USD");
    expect(paymentRequestSchema.parse({ amountCents: 100, recipient: "ACME", currency: "eur" }).currency).toBe("EUR");
    expect(fieldOf(paymentRequestSchema, { amountCents: 100, recipient: "ACME", currency: "EURO" }).field).toBe("currency");
  });

  it("coerces and bounds the long-poll wait", () => {
    expect(promptsQuerySchema.parse({}).wait).toBe(0);
    expect(promptsQuerySchema.parse({ wait: "25" }).wait).toBe(25);
    expect(fieldOf(promptsQuerySchema, { wait: "26" }).field).toBe("wait");
  });

  it("accepts only the two outcomes", () => {
    expect(completeRequestSchema.safeParse({ outcome: "succeeded" }).success).toBe(true);
    expect(fieldOf(completeRequestSchema, { outcome: "won" }).field).toBe("outcome");
  });
});

describe("agent config and environment", () => {
  it("fills demo defaults and enforces ranges", () => {
    expect(demoAgentConfigSchema.parse({})).toEqual({ stepMs: 500, succeed: true, creditsPerStep: 1, screenshotEvery: 5 });
    expect(demoAgentConfigSchema.safeParse({ stepMs: 5 }).success).toBe(false);
    expect(demoAgentConfigSchema.safeParse({ progressPerStep: 0 }).success).toBe(false);
  });

  it("parses the sandbox env, treating empty values as unset", () => {
    const env = parseAgentEnv({
      PADDOCK_BRIDGE_URL: "http://127.0.0.1:3000/api/agent/v1",
      PADDOCK_TOKEN: "tok",
      PADDOCK_POLICY: "llm",
      PADDOCK_AGENT_CONFIG: '{"stepMs":100}',
      PADDOCK_MODEL: "",
    });
    expect(env.PADDOCK_AGENT_CONFIG).toEqual({ stepMs: 100 });
    expect(env.PADDOCK_MODEL).toBeUndefined();
  });

  it("lists every env problem by variable name", () => {
    expect(() => parseAgentEnv({ PADDOCK_POLICY: "magic", PADDOCK_AGENT_CONFIG: "[1]" })).toThrow(
      /PADDOCK_BRIDGE_URL[\s\S]*PADDOCK_TOKEN[\s\S]*PADDOCK_POLICY[\s\S]*PADDOCK_AGENT_CONFIG: must be a JSON object/,
    );
  });
});
