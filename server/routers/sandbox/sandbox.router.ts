import { z } from "zod";
import { adminProcedure, createTRPCRouter, operatorProcedure, protectedProcedure } from "../../trpc/init";
import { createSandboxInput, sandboxStatuses } from "@shared/sandbox";
import { INT4_MAX } from "@shared/schemas";
import { config } from "../../config";
import { db } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { createRun } from "../../domain/sandbox/create";
import { compareRuns, getRun, listRuns, modelStats } from "../../domain/sandbox/queries";
import { listProfiles, setProfileRestricted, setProfileVerifier } from "../../domain/sandbox/profiles";
import { providersFor, type LaunchPolicy } from "../../domain/sandbox/launch-rules";
import { listEvents } from "../../domain/sandbox/events";
import { assertCanCancel } from "../../domain/sandbox/complete";
import { injectCredits } from "../../domain/sandbox/credits";
import { submitPrompt } from "../../domain/sandbox/prompts";
import { reviewArtifact } from "../../domain/sandbox/artifacts";
import { isTerminal } from "../../domain/sandbox/lifecycle";
import { enqueue } from "../../jobs/queues";
import { launchJob } from "../../jobs/sandbox/launch";
import { stopRun } from "../../jobs/sandbox/stop-run";
import { availableProviders } from "../../jobs/sandbox/provider-for";
import { signalPrompt } from "../../bridge/prompt-signal";
import { live } from "../../realtime/emit";
import { logger } from "../../lib/logger";

const idInput = z.object({ id: z.string().min(1).max(64) });

const launchPolicy: LaunchPolicy = {
  maxLiveRuns: config.MAX_LIVE_RUNS_PER_USER,
  minCredits: config.MIN_RUN_CREDITS_CENTS,
  daytonaForMembers: config.DAYTONA_FOR_MEMBERS,
};
const configuredProviders = () => ({ available: availableProviders(), default: config.SANDBOX_PROVIDER });

export const sandboxRouter = createTRPCRouter({
  profiles: protectedProcedure.query(({ ctx }) => listProfiles(db, ctx.user.role)),

  setProfileRestricted: adminProcedure
    .input(z.object({ profileId: z.string().min(1).max(64), restricted: z.boolean() }))
    .mutation(({ ctx, input }) => setProfileRestricted(db, { actorRole: ctx.user.role, ...input })),

  providers: protectedProcedure.query(({ ctx }) => ({ ...providersFor(ctx.user.role, configuredProviders(), launchPolicy), minCredits: launchPolicy.minCredits })),

  create: protectedProcedure.input(createSandboxInput).mutation(async ({ ctx, input }) => {
    const providers = providersFor(ctx.user.role, configuredProviders(), launchPolicy);
    const run = await createRun(db, ctx.user.id, input, {
      // A member on a Paddock whose default is Daytona launches on what they may use.
      defaultProvider: providers.default ?? config.SANDBOX_PROVIDER,
      availableProviders: availableProviders(),
      defaultIdleTimeoutMinutes: config.DEFAULT_IDLE_TIMEOUT_MINUTES,
      limits: { ...launchPolicy, role: ctx.user.role },
      role: ctx.user.role,
    });
    // If Redis is briefly unavailable the run stays queued and the reaper launches it later.
    await enqueue(launchJob, { sandboxId: run.id }, { jobId: `launch-${run.id}` }).catch((err: unknown) =>
      logger.warn({ err, sandboxId: run.id }, "launch not enqueued; the reaper will retry"),
    );
    live.sandboxAndArena(run.id, "sandbox:created", { sandboxId: run.id });
    live.user(ctx.user.id, "balance:update", { balance: run.balance, reason: "credits for a run" });
    return { id: run.id };
  }),

  get: protectedProcedure.input(idInput).query(({ ctx, input }) => getRun(db, input.id, { viewerId: ctx.user.id })),

  list: protectedProcedure
    .input(
      z.object({
        status: z.array(z.enum(sandboxStatuses)).max(7).optional(),
        model: z.string().max(100).optional(),
        creator: z.union([z.literal("me"), z.string().max(64)]).optional(),
        goal: z.string().max(2000).optional(),
        cursor: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(100).default(30),
      }),
    )
    .query(({ ctx, input }) =>
      listRuns(db, {
        status: input.status,
        model: input.model,
        createdById: input.creator === "me" ? ctx.user.id : input.creator,
        goal: input.goal,
        cursor: input.cursor,
        limit: input.limit,
      }),
    ),

  events: protectedProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        cursor: z.number().int().min(0).max(INT4_MAX, `must be at most ${INT4_MAX}`).optional(),
        afterSeq: z.number().int().min(0).max(INT4_MAX, `must be at most ${INT4_MAX}`).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      }),
    )
    .query(async ({ input }) => {
      const exists = await db.sandbox.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!exists) throw new AppError("NOT_FOUND", "no run with that id", { field: "id" });
      return listEvents(db, { sandboxId: input.id, limit: input.limit, beforeSeq: input.cursor, afterSeq: input.afterSeq });
    }),

  cancel: protectedProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await assertCanCancel(db, { userId: ctx.user.id, role: ctx.user.role, sandboxId: input.id });
    const run = await db.sandbox.findUniqueOrThrow({ where: { id: input.id }, select: { status: true } });
    if (isTerminal(run.status)) throw new AppError("CONFLICT", `the run already ended (${run.status})`, { field: "id" });
    await stopRun(input.id, { to: "canceled", reason: ctx.user.role === "member" ? "canceled by its creator" : "canceled by an operator" });
    const after = await db.sandbox.findUniqueOrThrow({ where: { id: input.id }, select: { status: true } });
    return { id: input.id, status: after.status };
  }),

  injectCredits: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64), amount: z.number().int("must be a whole number of cents").min(1, "must be at least 1 cent").max(100_000_000, "must be at most 1,000,000.00") }))
    .mutation(async ({ ctx, input }) => {
      const result = await injectCredits(db, { userId: ctx.user.id, sandboxId: input.id, amount: input.amount });
      live.user(ctx.user.id, "balance:update", { balance: result.balance, reason: "credits injected" });
      return { creditBudget: result.creditBudget };
    }),

  submitPrompt: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64), text: z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters") }))
    .mutation(async ({ ctx, input }) => {
      const prompt = await submitPrompt(db, { userId: ctx.user.id, role: ctx.user.role, sandboxId: input.id, text: input.text });
      await signalPrompt(input.id);
      return prompt;
    }),

  compare: protectedProcedure
    .input(z.object({ goal: z.string().max(2000).optional(), id: z.string().max(64).optional() }))
    .query(({ input }) => compareRuns(db, input)),

  modelStats: protectedProcedure.query(() => modelStats(db)),

  setProfileVerifier: operatorProcedure
    .input(z.object({ agentProfileId: z.string().min(1).max(64), verifier: createSandboxInput.shape.verifier.unwrap().nullable() }))
    .mutation(({ input }) => setProfileVerifier(db, input)),

  reviewArtifact: operatorProcedure
    .input(z.object({ artifactId: z.string().min(1).max(64), state: z.enum(["approved", "rejected"]), note: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => reviewArtifact(db, { reviewerId: ctx.user.id, artifactId: input.artifactId, state: input.state, ...(input.note ? { note: input.note } : {}) })),
});
