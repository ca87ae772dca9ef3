// The commands that change a run on a user's behalf. Each runs the domain's transaction, then,
// once it has committed, its effects: live messages, jobs to enqueue, agents to wake. Routers
// call one of these and return what it returns.
import type { CreateRunInput } from "@shared/run";
import type { RunActor } from "@shared/run-rules";
import { isTerminalRun } from "@shared/run-status";
import { config } from "../config";
import { db, type Prisma } from "../lib/db";
import { AppError } from "../lib/errors";
import { logger } from "../lib/logger";
import type { Role } from "../generated/prisma/enums";
import * as create from "../domain/runs/create";
import * as credits from "../domain/runs/credits";
import * as prompts from "../domain/runs/prompts";
import { assertCanCancel } from "../domain/runs/complete";
import { providersFor, type LaunchPolicy } from "../domain/runs/launch-rules";
import { enqueue } from "../jobs/queues";
import { launchJobSpec } from "../jobs/runs/specs";
import { availableProviders } from "../providers/for-run";
import { signalPrompt } from "../bridge/prompt-signal";
import { live } from "../realtime/emit";
import { stopRun } from "./stop-run";
import { enforceLaunchAllowed } from "../domain/billing/plans";
import { billingSettings } from "../billing/stripe-client";

export const launchPolicy: LaunchPolicy = {
  maxLiveRuns: config.MAX_LIVE_RUNS_PER_USER,
  minCredits: config.MIN_RUN_CREDITS_CENTS,
  daytonaForMembers: config.DAYTONA_FOR_MEMBERS,
};
const configuredProviders = () => ({ available: availableProviders(), default: config.SANDBOX_PROVIDER });

/** The providers a user of this role may launch on, and the default one. */
export const launchProvidersFor = (role: Role) => providersFor(role, configuredProviders(), launchPolicy);

export async function createRun(input: { userId: string; role: Role; run: CreateRunInput }): Promise<{ id: string }> {
  const providers = launchProvidersFor(input.role);
  const run = await create.createRun(db, input.userId, input.run, {
    // A member on a Paddock whose default is Daytona launches on what they may use.
    defaultProvider: providers.default ?? config.SANDBOX_PROVIDER,
    availableProviders: availableProviders(),
    defaultIdleTimeoutMinutes: config.DEFAULT_IDLE_TIMEOUT_MINUTES,
    limits: { ...launchPolicy, role: input.role },
    role: input.role,
    workspaceQuota: (tx, where) => enforceLaunchAllowed(tx, where, billingSettings()),
  });
  await afterRunCreated(input.userId, run);
  return { id: run.id };
}

async function afterRunCreated(userId: string, run: { id: string; balance: number }) {
  // If Redis is briefly unavailable the run stays queued and the reaper launches it later.
  await enqueue(launchJobSpec, { runId: run.id }, { jobId: `launch-${run.id}` }).catch((err: unknown) =>
    logger.warn({ err, runId: run.id }, "launch not enqueued; the reaper will retry"),
  );
  live.runAndArena(run.id, "run:created", { runId: run.id });
  live.user(userId, "balance:update", { balance: run.balance, reason: "credits for a run" });
}

/**
 * The run of a task's attempt, launched on a user's behalf (the payer: see server/commands/tasks.ts).
 * Held to the payer's providers but not to their live-run quota: a task's runs are throttled by
 * its agent's maxConcurrentTasks instead. `onCreated` binds the run to its attempt inside the
 * creating transaction.
 */
export async function createTaskRun(input: {
  userId: string;
  role: Role;
  run: CreateRunInput;
  onCreated: (tx: Prisma.TransactionClient, runId: string) => Promise<void>;
}): Promise<{ id: string }> {
  const providers = launchProvidersFor(input.role);
  const run = await create.createRun(db, input.userId, input.run, {
    defaultProvider: providers.default ?? config.SANDBOX_PROVIDER,
    availableProviders: availableProviders(),
    defaultIdleTimeoutMinutes: config.DEFAULT_IDLE_TIMEOUT_MINUTES,
    role: input.role,
    onCreated: input.onCreated,
  });
  await afterRunCreated(input.userId, run);
  return { id: run.id };
}

export async function cancelRun(input: RunActor & { runId: string }) {
  await assertCanCancel(db, input);
  const run = await db.run.findUniqueOrThrow({ where: { id: input.runId }, select: { status: true } });
  if (isTerminalRun(run.status)) throw new AppError("CONFLICT", `the run already ended (${run.status})`, { field: "id" });
  await stopRun(input.runId, {
    to: "canceled",
    reason: input.role === "member" ? "canceled by its creator" : "canceled by an operator",
  });
  const after = await db.run.findUniqueOrThrow({ where: { id: input.runId }, select: { status: true } });
  return { id: input.runId, status: after.status };
}

export async function injectCredits(input: RunActor & { runId: string; amount: number }) {
  const result = await credits.injectCredits(db, input);
  live.user(input.userId, "balance:update", { balance: result.balance, reason: "credits injected" });
  return { creditBudget: result.creditBudget };
}

export async function submitPrompt(input: RunActor & { runId: string; text: string }) {
  const prompt = await prompts.submitPrompt(db, input);
  await signalPrompt(input.runId);
  return prompt;
}
