// Creating a run: validate, move the credit budget into the run's ledger account, open its
// betting pool — one transaction. The caller enqueues the launch after it commits.
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";
import type { CreateSandboxInput } from "@shared/sandbox";
import { launchVerifierRefusal, type RunActorRole } from "@shared/run-rules";
import { runAccountKey, transfer, userAccountKey } from "../ledger";
import { createPoolForRun } from "../betting";
import type { ProviderName } from "../../providers/types";

export interface CreateRunOptions {
  defaultProvider: ProviderName;
  availableProviders: readonly ProviderName[];
  defaultIdleTimeoutMinutes: number;
  /** The launching user's role: only operators may give a run its own verifier. */
  role?: RunActorRole;
}

export async function createRun(db: Db, userId: string, input: CreateSandboxInput, opts: CreateRunOptions) {
  const provider = input.provider ?? opts.defaultProvider;
  if (!opts.availableProviders.includes(provider)) {
    throw new AppError("BAD_REQUEST", `provider ${provider} is not configured on this Paddock`, { field: "provider" });
  }
  const verifierRefusal = input.verifier !== undefined ? launchVerifierRefusal({ role: opts.role ?? "member" }) : null;
  if (verifierRefusal) throw new AppError("FORBIDDEN", verifierRefusal, { field: "verifier" });
  const idle = input.idleTimeoutMinutes ?? opts.defaultIdleTimeoutMinutes;
  return db.$transaction(async (tx) => {
    const profile = await tx.agentProfile.findUnique({ where: { id: input.agentProfileId }, select: { id: true, active: true, verifier: true } });
    if (!profile || !profile.active) {
      throw new AppError("BAD_REQUEST", "agentProfileId does not name an available agent profile", { field: "agentProfileId" });
    }
    const run = await tx.sandbox.create({
      data: {
        goal: input.goal,
        metric: input.metric,
        targetValue: input.targetValue,
        agentProfileId: profile.id,
        provider,
        durationMinutes: input.durationMinutes,
        idleTimeoutMinutes: idle,
        creditBudget: input.credits,
        agentConfig: (input.agentConfig ?? {}) as object,
        verifier: input.verifier ?? profile.verifier,
        createdById: userId,
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
    await createPoolForRun(tx, { sandboxId: run.id, locksAt: null });
    return { id: run.id, balance: moved.fromBalance ?? 0 };
  }, { timeout: 30_000 });
}
