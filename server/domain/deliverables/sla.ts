// A deliverable's SLA clocks (shared/sla.ts): opened when the deliverable is created (first response,
// delivery) and when a revision is requested, met by the decisions that answer them. Both run inside
// the deliverable's own transaction; the watcher (server/jobs/deliverables) moves open clocks to at
// risk and breached as time passes.
import type { DbClient } from "../../lib/db";
import { slaClock, OPEN_SLA_STATES, type SlaKind } from "@shared/sla";

export interface OpenedSla {
  id: string;
  deliverableId: string;
  workspaceId: string;
  kind: SlaKind;
  atRiskAt: Date;
  dueAt: Date;
}

/** Opens one clock; its thresholds come from the task's priority and the project's override. */
export async function openSla(
  tx: DbClient,
  input: { deliverableId: string; workspaceId: string; kind: SlaKind; priority: number; policy: unknown; now: Date; minuteMs?: number },
): Promise<OpenedSla> {
  const clock = slaClock({ kind: input.kind, priority: input.priority, policy: input.policy, startsAt: input.now, minuteMs: input.minuteMs });
  return tx.deliverableSla.create({
    data: { deliverableId: input.deliverableId, workspaceId: input.workspaceId, kind: input.kind, ...clock },
    select: { id: true, deliverableId: true, workspaceId: true, kind: true, atRiskAt: true, dueAt: true },
  });
}

/**
 * Meets the deliverable's open clocks of these kinds (a breached clock stays breached: it was late).
 * Returns the clocks met, for the live alert.
 */
export async function meetSlas(tx: DbClient, input: { deliverableId: string; kinds: readonly SlaKind[]; now: Date }) {
  const open = await tx.deliverableSla.findMany({
    where: { deliverableId: input.deliverableId, kind: { in: [...input.kinds] }, state: { in: [...OPEN_SLA_STATES] } },
    select: { id: true, kind: true },
  });
  if (open.length === 0) return [];
  await tx.deliverableSla.updateMany({
    where: { id: { in: open.map((s) => s.id) }, state: { in: [...OPEN_SLA_STATES] } },
    data: { state: "met", metAt: input.now },
  });
  return open;
}
