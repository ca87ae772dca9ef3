// Creating a run: validate, move the credit budget into the run's ledger account, open its
// betting pool — one transaction. The caller enqueues the launch after it commits.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, type Prisma } from "../../lib/db";
import type { CreateRunInput } from "@shared/run";
import { formatCents } from "@shared/money";
import type { Role } from "../../generated/prisma/enums";
import { launchVerifierRefusal, type RunActorRole } from "@shared/run-rules";
import { runAccountKey, transfer, userAccountKey } from "../ledger";
import { createPoolForRun } from "../betting";
import type { ProviderName } from "../../providers/types";
import { LIVE_RUN_STATUSES } from "@shared/run-status";
import { mayUseAgent, mayUseProvider, type LaunchPolicy } from "./launch-rules";
import { launchRefusal } from "@shared/workspace-rules";
import { membershipOf } from "../workspaces/access";
import { personalWorkspaceId } from "../workspaces/personal";

export interface CreateRunOptions {
  defaultProvider: ProviderName;
  availableProviders: readonly ProviderName[];
  defaultIdleTimeoutMinutes: number;
  /**
   * A user's launch is held to the launch policy (launch-rules.ts) under their role. The seed
   * and the benchmarks, which launch on Paddock's own behalf, pass none.
   */
  limits?: LaunchPolicy & { role: Role };
  /** The launching user's role: only operators may give a run its own verifier. */
  role?: RunActorRole;
  /**
   * A check of another domain that must hold inside the launch's transaction once the workspace is
   * known (billing: the plan's live-run limit, the launcher's standing — domain/billing/plans.ts).
   */
  workspaceQuota?: (tx: Prisma.TransactionClient, args: { workspaceId: string; userId: string }) => Promise<void>;
  /** Runs inside the creating transaction once the run exists (a task's attempt takes the run here); a throw rolls the run back. */
  onCreated?: (tx: Prisma.TransactionClient, runId: string) => Promise<void>;
}

export async function createRun(db: DbClient, userId: string, input: CreateRunInput, opts: CreateRunOptions) {
  const provider = input.provider ?? opts.defaultProvider;
  if (!opts.availableProviders.includes(provider)) {
    throw new AppError("BAD_REQUEST", `provider ${provider} is not configured on this Paddock`, { field: "provider" });
  }
  const limits = opts.limits;
  if (limits && !mayUseProvider(limits.role, provider, limits)) {
    throw new AppError(
      "FORBIDDEN",
      `the ${provider} provider is open to operators and admins only on this Paddock; choose another provider`,
      { field: "provider" },
    );
  }
  if (limits && input.credits < limits.minCredits) {
    throw new AppError("BAD_REQUEST", `credits must be at least ${formatCents(limits.minCredits)} (${limits.minCredits} cents) for a run`, {
      field: "credits",
      details: { min: limits.minCredits },
    });
  }
  const verifierRefusal = input.verifier !== undefined ? launchVerifierRefusal({ role: opts.role ?? "member" }) : null;
  if (verifierRefusal) throw new AppError("FORBIDDEN", verifierRefusal, { field: "verifier" });
  const idle = input.idleTimeoutMinutes ?? opts.defaultIdleTimeoutMinutes;
  return inTransaction(db, async (tx) => {
    const workspaceId = input.workspaceId ?? (await personalWorkspaceId(tx, userId));
    if (!workspaceId) throw new AppError("NOT_FOUND", "you have no personal workspace: name a workspaceId", { field: "workspaceId" });
    await launchableWorkspace(tx, workspaceId, userId);
    const agent = await tx.agent.findUnique({
      where: { id: input.agentId },
      select: { id: true, name: true, active: true, restricted: true, policy: true, verifier: true },
    });
    if (!agent || !agent.active) {
      throw new AppError("BAD_REQUEST", "agentId does not name an available agent", { field: "agentId" });
    }
    if (limits && !mayUseAgent(limits.role, agent)) {
      throw new AppError("FORBIDDEN", `the agent ${agent.name} is open to operators and admins only until an admin opens it`, {
        field: "agentId",
      });
    }
    if (limits) {
      // One user's launches take turns on their user row, so ten concurrent creates cannot all
      // count the same live runs and pass together.
      await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${userId} FOR NO KEY UPDATE`;
      const live = await tx.run.count({ where: { createdById: userId, status: { in: [...LIVE_RUN_STATUSES] } } });
      if (live >= limits.maxLiveRuns) {
        throw new AppError(
          "CONFLICT",
          `you already have ${live} live runs (queued, booting or running); the limit is ${limits.maxLiveRuns} at once — wait for one to end or cancel one`,
          { details: { limit: limits.maxLiveRuns, live } },
        );
      }
    }
    await opts.workspaceQuota?.(tx, { workspaceId, userId });
    const run = await tx.run.create({
      data: {
        goal: input.goal,
        metric: input.metric,
        targetValue: input.targetValue,
        agentId: agent.id,
        provider,
        durationMinutes: input.durationMinutes,
        idleTimeoutMinutes: idle,
        creditBudget: input.credits,
        // Parsed from JSON by the input schema, so it is JSON.
        agentConfig: (input.agentConfig ?? {}) as Prisma.InputJsonObject,
        verifier: input.verifier ?? agent.verifier,
        createdById: userId,
        workspaceId,
        visibility: input.visibility ?? "public",
      },
      select: { id: true },
    });
    await tx.ledgerAccount.create({ data: { key: runAccountKey(run.id), kind: "run" } });
    const moved = await transfer(tx, {
      from: userAccountKey(userId),
      to: runAccountKey(run.id),
      amount: input.credits,
      kind: "credit_budget",
      amountField: "credits",
      memo: `credit budget of run ${run.id}`,
    });
    await createPoolForRun(tx, { runId: run.id, locksAt: null });
    await opts.onCreated?.(tx, run.id);
    return { id: run.id, balance: moved.fromBalance ?? 0 };
  });
}

/**
 * Members and up launch in a workspace; a viewer is refused (FORBIDDEN), and someone outside it
 * is told it does not exist (NOT_FOUND), so workspace ids reveal nothing.
 */
async function launchableWorkspace(tx: Prisma.TransactionClient, workspaceId: string, userId: string): Promise<void> {
  const membership = await membershipOf(tx, workspaceId, userId).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND") throw new AppError("NOT_FOUND", e.message, { field: "workspaceId" });
    throw e;
  });
  const refusal = launchRefusal(membership.role);
  if (refusal) throw new AppError(refusal.code, refusal.message, { field: "workspaceId" });
}
