// The LLM credentials pool, for admins only: the keys pay for every run's model calls.
import { adminProcedure, createTRPCRouter } from "../../trpc/init";
import { config } from "../../config";
import { db } from "../../lib/db";
import { createLlmCredential, deleteLlmCredential, listLlmCredentials, updateLlmCredential } from "../../domain/llm/credentials";
import { llmUsageByAgent } from "../../domain/llm/usage";
import { createLlmCredentialInput, llmCredentialIdInput, llmUsageInput, updateLlmCredentialInput } from "./llm-credential.schema";

const fallback = () => (config.LLM_BASE_URL ? { baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY } : null);

export const llmCredentialRouter = createTRPCRouter({
  list: adminProcedure.query(() => listLlmCredentials(db, { now: new Date(), fallback: fallback() })),

  create: adminProcedure
    .input(createLlmCredentialInput)
    .mutation(({ input }) => createLlmCredential(db, { input, secret: config.AUTH_SECRET, now: new Date() })),

  update: adminProcedure
    .input(updateLlmCredentialInput)
    .mutation(({ input: { id, ...input } }) => updateLlmCredential(db, { id, input, secret: config.AUTH_SECRET, now: new Date() })),

  delete: adminProcedure.input(llmCredentialIdInput).mutation(({ input }) => deleteLlmCredential(db, { id: input.id })),

  /** Tokens, calls and credits of LLM calls per agent over the last `days`. */
  usage: adminProcedure
    .input(llmUsageInput)
    .query(({ input }) => llmUsageByAgent(db, { since: new Date(Date.now() - input.days * 86_400_000) })),
});
