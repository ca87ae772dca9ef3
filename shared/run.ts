// Run inputs shared by the launch form and the server.
import { z } from "zod";

export const providerNames = ["local", "daytona"] as const;
/** public: in the arena for every signed-in user; workspace: its members only (and site operators). */
export const runVisibilities = ["public", "workspace"] as const;
export type RunVisibilityName = (typeof runVisibilities)[number];

export const createRunInput = z.object({
  goal: z.string().trim().min(3, "must be at least 3 characters").max(2000, "must be at most 2000 characters"),
  metric: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  targetValue: z.number().finite("must be a finite number").positive("must be greater than 0").max(1e12, "is too large"),
  agentId: z.string().min(1, "choose an agent").max(64),
  durationMinutes: z
    .number()
    .int("must be a whole number of minutes")
    .min(1, "must be at least 1 minute")
    .max(7 * 24 * 60, "must be at most 7 days"),
  idleTimeoutMinutes: z
    .number()
    .int("must be a whole number of minutes")
    .min(1, "must be at least 1 minute")
    .max(24 * 60, "must be at most 24 hours")
    .optional(),
  credits: z
    .number()
    .int("must be a whole number of cents")
    .min(1, "must be at least 1 cent")
    .max(100_000_000, "must be at most 1,000,000.00"),
  provider: z.enum(providerNames).optional(),
  // Operators only (shared/run-rules.ts); otherwise the agent's verifier applies.
  verifier: z.string().trim().min(1, "must not be empty").max(2000, "must be at most 2000 characters").optional(),
  /** Default: the creator's personal workspace. */
  workspaceId: z.string().min(1, "choose a workspace").max(64).optional(),
  /** Default: public, as every run was before workspaces. */
  visibility: z.enum(runVisibilities).optional(),
  agentConfig: z
    .record(z.string().max(64), z.unknown())
    .optional()
    .refine((v) => v === undefined || JSON.stringify(v).length <= 8192, "must be at most 8 KB of JSON"),
});
export type CreateRunInput = z.infer<typeof createRunInput>;
