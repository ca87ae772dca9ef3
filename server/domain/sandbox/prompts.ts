// Prompt injection: users queue instructions for a running agent; the agent long-polls for
// them (pending → delivered), then acknowledges each (→ acknowledged).
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";

export async function submitPrompt(db: Db, input: { userId: string; sandboxId: string; text: string }) {
  const run = await db.sandbox.findUnique({ where: { id: input.sandboxId }, select: { status: true } });
  if (!run) throw new AppError("NOT_FOUND", "no run with that id", { field: "id" });
  if (!["queued", "booting", "running"].includes(run.status)) {
    throw new AppError("CONFLICT", `the run is ${run.status}; prompts can only be sent to a live run`, { field: "id" });
  }
  return db.promptInjection.create({
    data: { sandboxId: input.sandboxId, text: input.text, createdById: input.userId },
    select: { id: true, text: true, status: true, createdAt: true },
  });
}

/** Claims the run's pending prompts (marks them delivered) and returns them, oldest first. */
export async function claimPendingPrompts(db: Db, sandboxId: string) {
  return db.$queryRaw<{ id: string; text: string; createdAt: Date }[]>`
    UPDATE prompt_injections SET status = 'delivered', "deliveredAt" = now()
     WHERE id IN (
       SELECT id FROM prompt_injections WHERE "sandboxId" = ${sandboxId} AND status = 'pending'
        ORDER BY "createdAt" FOR UPDATE SKIP LOCKED)
    RETURNING id, text, "createdAt"`.then((rows) => rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));
}

export async function acknowledgePrompt(db: Db, input: { sandboxId: string; promptId: string; response?: string }) {
  const result = await db.promptInjection.updateMany({
    where: { id: input.promptId, sandboxId: input.sandboxId, status: { in: ["delivered", "pending"] } },
    data: { status: "acknowledged", acknowledgedAt: new Date(), response: input.response ?? null },
  });
  if (result.count === 0) {
    const existing = await db.promptInjection.findFirst({ where: { id: input.promptId, sandboxId: input.sandboxId }, select: { status: true } });
    if (!existing) throw new AppError("NOT_FOUND", "no prompt with that id for this run", { field: "id" });
    // Acknowledging twice is harmless.
  }
  return { id: input.promptId, status: "acknowledged" as const };
}
