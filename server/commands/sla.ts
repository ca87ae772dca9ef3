// The SLA watcher's command (its delayed jobs and its sweep call it): move open clocks past their
// thresholds, publish the tasks whose priority that raised, and send the alerts.
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { advanceSlas } from "../domain/deliverables/sla";
import { afterTaskChanges } from "./task-effects";
import { announceSlaAlerts } from "./sla-effects";

const BATCH = 200;

/**
 * One clock (`slaId`) or, without it, every clock due, in batches. `stillDue`: the one clock is
 * past its threshold at `now` but another transaction held it, so it did not move.
 */
export async function advanceSlaClocks(input: { slaId?: string; now?: Date }) {
  const now = input.now ?? new Date();
  let changed = 0;
  let raised = 0;
  for (;;) {
    const batch = await advanceSlas(db, { now, slaId: input.slaId, limit: BATCH });
    changed += batch.changed.length;
    raised += batch.raised.length;
    if (batch.raised.length > 0) {
      await afterTaskChanges(batch.raised).catch((err: unknown) => logger.warn({ err }, "publishing tasks raised by an SLA failed"));
    }
    if (input.slaId !== undefined || batch.changed.length < BATCH) break;
  }
  const announced = await announceSlaAlerts();
  let stillDue = false;
  if (input.slaId !== undefined && changed === 0) {
    stillDue =
      (await db.deliverableSla.count({
        where: {
          id: input.slaId,
          OR: [
            { state: "on_track", atRiskAt: { lte: now } },
            { state: { in: ["on_track", "at_risk"] }, dueAt: { lte: now } },
          ],
        },
      })) > 0;
  }
  return { changed, raised, announced, stillDue };
}
