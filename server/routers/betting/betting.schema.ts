// Input schemas of the betting procedures. Amount limits are enforced by the domain (one rule,
// reported with field "amount"); here only shapes.
import { z } from "zod";
import { cursorPageInput } from "@shared/schemas";

const runId = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
const side = z.enum(["yes", "no"], 'must be "yes" or "no"');
const amount = z.number("must be a number of cents").int("must be a whole number of cents").positive("must be positive");

export const placeBetInput = z.object({ runId, side, amount });
export const runInput = z.object({ runId });
export const quoteInput = z.object({ runId, side, amount });
export const poolInput = z.object({ runId, limit: z.number().int().min(1).max(100).default(20) });
export const myBetsInput = cursorPageInput.extend({
  runId: runId.optional(),
  filter: z.enum(["all", "open", "settled"]).default("all"),
});
export const leaderboardInput = z.object({ limit: z.number().int().min(1).max(100).default(20) });
