// The run procedures: parse, then call one command (a change) or one domain read. Mounted as `run`
// and, under the name runs had before, `sandbox` (server/trpc/root.ts).
import { z } from "zod";
import { adminProcedure, createTRPCRouter, operatorProcedure, protectedProcedure } from "../../trpc/init";
import { createRunInput } from "@shared/run";
import { RUN_STATUSES } from "@shared/run-status";
import { acceptFormerNames, INT4_MAX } from "@shared/schemas";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { compareRuns, getRun, listRuns, modelStats } from "../../domain/runs/queries";
import { listAgents, setAgentRestricted, setAgentVerifier } from "../../domain/runs/agents";
import { listEvents } from "../../domain/runs/events";
import { reviewArtifact } from "../../domain/runs/artifacts";
import { cancelRun, createRun, injectCredits, launchPolicy, launchProvidersFor, submitPrompt } from "../../commands/runs";

const idInput = z.object({ id: z.string().min(1).max(64) });

// Agents were called agent profiles, and scripts written then keep working: former names kept as
// aliases are the procedures profiles, setProfileRestricted and setProfileVerifier (former names of
// agents, setAgentRestricted and setAgentVerifier) and agentProfileId or profileId (former names of agentId).
const FORMER_AGENT_ID = { agentProfileId: "agentId", profileId: "agentId" } as const; // former name

const agents = protectedProcedure.query(({ ctx }) => listAgents(db, ctx.user.role));

const setAgentRestrictedProcedure = adminProcedure
  .input(acceptFormerNames(z.object({ agentId: z.string().min(1).max(64), restricted: z.boolean() }), FORMER_AGENT_ID))
  .mutation(({ ctx, input }) => setAgentRestricted(db, { actorRole: ctx.user.role, ...input }));

const setAgentVerifierProcedure = operatorProcedure
  .input(
    acceptFormerNames(
      z.object({ agentId: z.string().min(1).max(64), verifier: createRunInput.shape.verifier.unwrap().nullable() }),
      FORMER_AGENT_ID,
    ),
  )
  .mutation(({ input }) => setAgentVerifier(db, input));

export const runRouter = createTRPCRouter({
  agents,
  profiles: agents, // former name

  setAgentRestricted: setAgentRestrictedProcedure,
  setProfileRestricted: setAgentRestrictedProcedure, // former name

  providers: protectedProcedure.query(({ ctx }) => ({ ...launchProvidersFor(ctx.user.role), minCredits: launchPolicy.minCredits })),

  create: protectedProcedure
    .input(acceptFormerNames(createRunInput, FORMER_AGENT_ID))
    .mutation(({ ctx, input }) => createRun({ userId: ctx.user.id, role: ctx.user.role, run: input })),

  get: protectedProcedure.input(idInput).query(({ ctx, input }) => getRun(db, input.id, { viewer: ctx.user })),

  list: protectedProcedure
    .input(
      z.object({
        status: z.array(z.enum(RUN_STATUSES)).max(7).optional(),
        model: z.string().max(100).optional(),
        creator: z.union([z.literal("me"), z.string().max(64)]).optional(),
        goal: z.string().max(2000).optional(),
        /** With `scope` "arena" (the default): the arena from this workspace — its runs and every public run; "workspace": its runs only. */
        workspaceId: z.string().max(64).optional(),
        scope: z.enum(["arena", "workspace"], { error: 'must be "arena" or "workspace"' }).default("arena"),
        cursor: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(100).default(30),
      }),
    )
    .query(({ ctx, input }) =>
      listRuns(db, pgPool(), {
        viewer: ctx.user,
        status: input.status,
        model: input.model,
        createdById: input.creator === "me" ? ctx.user.id : input.creator,
        goal: input.goal,
        workspaceId: input.workspaceId,
        withPublic: input.scope === "arena",
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
    .query(({ ctx, input }) =>
      listEvents(db, ctx.user, { runId: input.id, limit: input.limit, beforeSeq: input.cursor, afterSeq: input.afterSeq }),
    ),

  cancel: protectedProcedure
    .input(idInput)
    .mutation(({ ctx, input }) => cancelRun({ userId: ctx.user.id, role: ctx.user.role, runId: input.id })),

  injectCredits: protectedProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        amount: z
          .number()
          .int("must be a whole number of cents")
          .min(1, "must be at least 1 cent")
          .max(100_000_000, "must be at most 1,000,000.00"),
      }),
    )
    .mutation(({ ctx, input }) => injectCredits({ userId: ctx.user.id, role: ctx.user.role, runId: input.id, amount: input.amount })),

  submitPrompt: protectedProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        text: z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters"),
      }),
    )
    .mutation(({ ctx, input }) => submitPrompt({ userId: ctx.user.id, role: ctx.user.role, runId: input.id, text: input.text })),

  compare: protectedProcedure
    .input(z.object({ goal: z.string().max(2000).optional(), id: z.string().max(64).optional() }))
    .query(({ ctx, input }) => compareRuns(db, ctx.user, input)),

  modelStats: protectedProcedure.query(({ ctx }) => modelStats(db, ctx.user)),

  setAgentVerifier: setAgentVerifierProcedure,
  setProfileVerifier: setAgentVerifierProcedure, // former name

  reviewArtifact: operatorProcedure
    .input(
      z.object({ artifactId: z.string().min(1).max(64), state: z.enum(["approved", "rejected"]), note: z.string().max(2000).optional() }),
    )
    .mutation(({ ctx, input }) =>
      reviewArtifact(db, {
        reviewer: ctx.user,
        artifactId: input.artifactId,
        state: input.state,
        ...(input.note ? { note: input.note } : {}),
      }),
    ),
});
