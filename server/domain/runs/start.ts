// A run becomes `running` when its process has started or its agent first reports in,
// whichever comes first; the duration clock starts then.
import type { DbClient } from "../../lib/db";
import { config } from "../../config";
import { transitionRunIfAllowed, type TransitionResult } from "./lifecycle";

export async function markRunning(
  db: DbClient,
  runId: string,
  minuteMs = config.MINUTE_SECONDS * 1000,
): Promise<(TransitionResult & { expiresAt: Date; startedAt: Date }) | null> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, durationMinutes: true } });
  if (!run || run.status !== "booting") return null;
  const startedAt = new Date();
  const expiresAt = new Date(startedAt.getTime() + run.durationMinutes * minuteMs);
  const result = await transitionRunIfAllowed(db, {
    runId,
    to: "running",
    reason: "agent started",
    set: { startedAt, expiresAt, lastActivityAt: startedAt },
  });
  return result ? { ...result, startedAt, expiresAt } : null;
}
