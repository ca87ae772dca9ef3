// Input schemas of the betting procedures. Amount limits are enforced by the domain (one rule,
// reported with field "amount"); here only shapes. The run's id is `runId`
// (`sandboxId`, its former name, is still accepted: FORMER_RUN_ID).
import { z } from "zod";
import { acceptFormerNames, cursorPageInput, FORMER_RUN_ID } from "@shared/schemas";

const runId = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
const side = z.enum(["yes", "no"], 'must be "yes" or "no"');
const amount = z.number("must be a number of cents").int("must be a whole number of cents").positive("must be positive");

export const placeBetInput = acceptFormerNames(z.object({ runId, side, amount }), FORMER_RUN_ID);
export const runInput = acceptFormerNames(z.object({ runId }), FORMER_RUN_ID);
export const quoteInput = acceptFormerNames(z.object({ runId, side, amount }), FORMER_RUN_ID);
export const poolInput = acceptFormerNames(z.object({ runId, limit: z.number().int().min(1).max(100).default(20) }), FORMER_RUN_ID);
export const myBetsInput = acceptFormerNames(
  cursorPageInput.extend({
    runId: runId.optional(),
    filter: z.enum(["all", "open", "settled"]).default("all"),
  }),
  FORMER_RUN_ID,
);
export const leaderboardInput = z.object({ limit: z.number().int().min(1).max(100).default(20) });
