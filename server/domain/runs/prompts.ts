// Prompt injection: users queue instructions for a running agent; the agent long-polls for
// them (pending → delivered), then acknowledges each (→ acknowledged).
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient } from "../../lib/db";
import { promptRefusal, type RunActor } from "@shared/run-rules";
import { isLiveRun } from "@shared/run-status";
import { actorViewer, readRunStanding } from "./standing";

export async function submitPrompt(db: DbClient, input: RunActor & { runId: string; text: string }) {
  return inTransaction(db, async (tx) => {
    // Under the pool's row lock, like placeBet: a bet by this user either committed before (and
    // is seen here) or waits and then sees the user in steeredBy, so not both succeed.
    const run = await readRunStanding(tx, { runId: input.runId, viewer: actorViewer(input), lockPool: true });
    const refusal = promptRefusal(input, run);
    if (refusal) throw new AppError("FORBIDDEN", refusal, { field: "id" });
    if (!isLiveRun(run.status)) {
      throw new AppError("CONFLICT", `the run is ${run.status}; prompts can only be sent to a live run`, { field: "id" });
    }
    if (run.poolId && !run.hasPrompted) {
      await tx.$executeRaw`UPDATE pools SET "steeredBy" = array_append("steeredBy", ${input.userId}) WHERE id = ${run.poolId}`;
    }
    return tx.promptInjection.create({
      data: { runId: input.runId, text: input.text, createdById: input.userId },
      select: { id: true, text: true, status: true, createdAt: true },
    });
  });
}

/** Claims the run's pending prompts (marks them delivered) and returns them, oldest first. */
export async function claimPendingPrompts(db: DbClient, runId: string) {
  return db.$queryRaw<{ id: string; text: string; createdAt: Date }[]>`
    UPDATE prompt_injections SET status = 'delivered', "deliveredAt" = now()
     WHERE id IN (
       SELECT id FROM prompt_injections WHERE "runId" = ${runId} AND status = 'pending'
        ORDER BY "createdAt" FOR UPDATE SKIP LOCKED)
    RETURNING id, text, "createdAt"`.then((rows) => rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));
}

export async function acknowledgePrompt(db: DbClient, input: { runId: string; promptId: string; response?: string }) {
  const result = await db.promptInjection.updateMany({
    where: { id: input.promptId, runId: input.runId, status: { in: ["delivered", "pending"] } },
    data: { status: "acknowledged", acknowledgedAt: new Date(), response: input.response ?? null },
  });
  if (result.count === 0) {
    const existing = await db.promptInjection.findFirst({
      where: { id: input.promptId, runId: input.runId },
      select: { status: true },
    });
    if (!existing) throw new AppError("NOT_FOUND", "no prompt with that id for this run", { field: "id" });
    // Acknowledging twice is harmless.
  }
  return { id: input.promptId, status: "acknowledged" as const };
}
