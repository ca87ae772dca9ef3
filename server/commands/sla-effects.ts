// What follows opening or changing SLA clocks, once the change has committed: delayed jobs at each
// new clock's exact thresholds (the sweep is the backstop), and the live `sla:alert` of every change
// not yet announced, to the deliverable's workspace room.
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { live } from "../realtime/emit";
import { enqueue } from "../jobs/queues";
import { slaCheckJobIds, slaCheckJobSpec } from "../jobs/deliverables/specs";
import { relaySlaAlerts, type OpenedSla, type SlaChange } from "../domain/deliverables/sla";

const RELAY_BATCH = 200;

/** Checks at each clock's at-risk and due times; a job that cannot be enqueued is left to the sweep. */
export async function scheduleSlaChecks(slas: OpenedSla[]): Promise<void> {
  const now = Date.now();
  await Promise.all(
    slas.flatMap((sla) => {
      const ids = slaCheckJobIds(sla.id);
      return [
        [ids.risk, sla.atRiskAt],
        [ids.due, sla.dueAt],
      ].map(([jobId, at]) =>
        enqueue(slaCheckJobSpec, { slaId: sla.id }, { jobId: jobId as string, delay: Math.max(0, (at as Date).getTime() - now) }).catch(
          (err: unknown) => logger.warn({ err, slaId: sla.id }, "could not schedule an SLA check; the SLA sweep will do it"),
        ),
      );
    }),
  );
  // The same decision may have met other clocks: announce them now rather than at the next sweep.
  await announceSlaAlerts();
}

export function publishSlaChange(c: SlaChange): void {
  live.workspace(c.workspaceId, "sla:alert", {
    slaId: c.id,
    deliverableId: c.deliverableId,
    projectId: c.projectId,
    workspaceId: c.workspaceId,
    kind: c.kind,
    state: c.state,
    dueAt: c.dueAt.toISOString(),
    at: c.at.toISOString(),
  });
}

/**
 * Sends every pending SLA alert (changes by the watcher, clocks met by a decision) once. Best effort
 * for callers: what it cannot send now the sweep sends later. Returns how many went out.
 */
export async function announceSlaAlerts(): Promise<number> {
  let sent = 0;
  try {
    for (;;) {
      const n = await relaySlaAlerts(db, { limit: RELAY_BATCH, send: (changes) => changes.forEach(publishSlaChange) });
      sent += n;
      if (n < RELAY_BATCH) break;
    }
  } catch (err) {
    logger.warn({ err }, "could not send SLA alerts; the SLA sweep will");
  }
  return sent;
}
