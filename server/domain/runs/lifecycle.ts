// The run state machine is shared/run-status.ts; this module applies it to a run's row.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import type { RunStatus as DbRunStatus } from "../../generated/prisma/enums";
import { canTransition, isTerminalRun, type RunStatus } from "@shared/run-status";
import { returnUnspentCredits } from "./credits";
import type { StoredEvent } from "./events";
import { appendEvents } from "./events-sql";

// Fails compilation if the database enum and the shared list of statuses ever drift apart.
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies SameMembers<DbRunStatus, RunStatus>;

export function assertTransition(from: DbRunStatus, to: DbRunStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError("INVALID_TRANSITION", `a run cannot go from ${from} to ${to}`, {
      field: "status",
      details: { from, to },
    });
  }
}

export interface TransitionInput {
  runId: string;
  to: DbRunStatus;
  reason?: string | null;
  error?: string | null;
  summary?: string | null;
  /** Extra columns to set with the change (e.g. startedAt, expiresAt). */
  set?: Prisma.RunUpdateInput;
}

export interface TransitionResult {
  id: string;
  from: DbRunStatus;
  status: DbRunStatus;
  statusReason: string | null;
  error: string | null;
  createdById: string;
  startedAt: Date | null;
  expiresAt: Date | null;
  finishedAt: Date | null;
  event: StoredEvent;
  /** Credits returned to funders by a terminal transition. */
  returned: { userId: string; amount: number }[];
}

/**
 * Moves a run to a new status. The row is locked while the rule is checked, so two racing
 * transitions (say, the agent reporting success while the idle job cancels) cannot both win:
 * the loser gets INVALID_TRANSITION naming both states. A terminal transition returns the
 * unspent credits to their owners in the same transaction.
 */
export async function transitionRun(client: DbClient, input: TransitionInput): Promise<TransitionResult> {
  return inTransaction(client, async (tx) => {
    const rows = await tx.$queryRaw<{ status: DbRunStatus; currentProgress: number; targetValue: number; verifier: string | null }[]>`
      SELECT status, "currentProgress", "targetValue", verifier FROM runs WHERE id = ${input.runId} FOR UPDATE`;
    const current = rows[0];
    if (!current) throw new AppError("NOT_FOUND", "no run with that id", { field: "id" });
    input = timeRanOut(current, input);
    assertTransition(current.status, input.to);
    const now = new Date();
    const terminal = isTerminalRun(input.to);
    const updated = await tx.run.update({
      where: { id: input.runId },
      data: {
        ...input.set,
        status: input.to,
        statusReason: input.reason ?? null,
        ...(input.error !== undefined ? { error: input.error } : {}),
        ...(input.summary !== undefined ? { summary: input.summary } : {}),
        ...(terminal ? { finishedAt: now, tokenHash: null } : {}),
      },
      select: {
        id: true,
        status: true,
        statusReason: true,
        error: true,
        createdById: true,
        startedAt: true,
        expiresAt: true,
        finishedAt: true,
      },
    });
    const [event] = await appendEvents(tx, input.runId, [
      { kind: "status", payload: { from: current.status, to: input.to, ...(input.reason ? { reason: input.reason } : {}) } },
    ]);
    const returned = terminal ? await returnUnspentCredits(tx, input.runId) : [];
    return { ...updated, from: current.status, event: event!, returned };
  });
}

/**
 * A run whose time ran out at or above its target reached its goal: it succeeded (YES), it did
 * not expire. Decided here, under the row lock, so progress reported a moment before the deadline
 * counts. A run with a verifier is measured by it instead (commands/run-lifecycle.ts verifyRun decides).
 */
function timeRanOut(
  run: { status: DbRunStatus; currentProgress: number; targetValue: number; verifier: string | null },
  input: TransitionInput,
): TransitionInput {
  if (input.to !== "expired" || run.status !== "running" || run.verifier !== null || run.currentProgress < run.targetValue) return input;
  return { ...input, to: "succeeded", reason: `target reached when time ran out (${run.currentProgress} of ${run.targetValue})` };
}

/** Like transitionRun, but a run already past `to` (a repeat after a crash) is not an error. */
export async function transitionRunIfAllowed(client: DbClient, input: TransitionInput): Promise<TransitionResult | null> {
  try {
    return await transitionRun(client, input);
  } catch (e) {
    if (e instanceof AppError && e.code === "INVALID_TRANSITION") return null;
    throw e;
  }
}
