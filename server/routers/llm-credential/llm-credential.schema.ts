// Input schemas of the llmCredential procedures: shapes only; the window rule and name uniqueness
// are the domain's (server/domain/llm/credentials.ts).
import { z } from "zod";

const id = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
const name = z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters");
const baseUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://api.openai.com/v1" })
  .max(500, "must be at most 500 characters");
// Keys are opaque; "" (or null) means the endpoint takes none. Whitespace around a pasted key is dropped.
const apiKey = z.string().trim().max(1000, "must be at most 1000 characters").nullable();
const priority = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be at least 0")
  .max(1_000_000, "must be at most 1000000");
const when = z.date({ error: "must be a date" }).nullable();

export const llmCredentialIdInput = z.object({ id });

export const createLlmCredentialInput = z.object({
  name,
  baseUrl,
  apiKey: apiKey.optional(),
  priority: priority.optional(),
  enabled: z.boolean({ error: "must be true or false" }).optional(),
  validFrom: when.optional(),
  validUntil: when.optional(),
});

export const updateLlmCredentialInput = createLlmCredentialInput.partial().extend({
  id,
  /** Ends a cooldown now (e.g. after topping up the account). */
  resetCooldown: z.boolean({ error: "must be true or false" }).optional(),
});

export const llmUsageInput = z
  .object({
    days: z
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(366, "must be at most 366")
      .default(30),
  })
  .default({ days: 30 });
