// Stops a live run's process and records how it ended. Used by cancel, idle-kill, expiry and verification.
import { db, type Prisma } from "../lib/db";
import { logger } from "../lib/logger";
import { transitionRunIfAllowed } from "../domain/runs/lifecycle";
import type { RunStatus } from "../generated/prisma/enums";
import { providerFor } from "../providers/for-run";
import { afterTransition } from "./run-effects";

export async function stopRun(
  runId: string,
  end: { to: Extract<RunStatus, "canceled" | "expired" | "failed" | "succeeded">; reason: string; set?: Prisma.RunUpdateInput },
) {
  // Record the end first: the agent's token dies with it, so a dying agent cannot report
  // success after being stopped. Then stop the process.
  const result = await transitionRunIfAllowed(db, { runId, to: end.to, reason: end.reason, ...(end.set ? { set: end.set } : {}) });
  const run = await db.run.findUnique({ where: { id: runId }, select: { provider: true, providerId: true } });
  if (run?.providerId) {
    await providerFor(run.provider)
      .stop(run.providerId)
      .catch((err: unknown) => logger.warn({ err, runId }, "stopping the sandbox failed; cleanup will retry"));
  }
  if (result) await afterTransition(result);
  return { stopped: result !== null };
}
