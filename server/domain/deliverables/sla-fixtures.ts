// For tests: a deliverable awaiting review (project, task, deliverable rows written directly) and its
// SLA clocks, without the deliverable flow.
import type { DbClient } from "../../lib/db";
import type { SlaKind } from "@shared/sla";
import { openSla, type OpenedSla } from "./sla";

export async function makeReviewDeliverable(
  db: DbClient,
  input: { workspaceId: string; userId: string; title?: string; priority?: number; priorityOverride?: boolean; slaPolicy?: object },
) {
  const project = await db.project.create({
    data: {
      workspaceId: input.workspaceId,
      name: `Project of ${input.title ?? "a deliverable"}`,
      createdById: input.userId,
      slaPolicy: input.slaPolicy ?? {},
    },
    select: { id: true, name: true, slaPolicy: true },
  });
  const task = await db.task.create({
    data: {
      projectId: project.id,
      workspaceId: input.workspaceId,
      title: input.title ?? "Write the copy",
      status: "review",
      requiresReview: true,
      priority: input.priority ?? 3,
      priorityOverride: input.priorityOverride ?? false,
      createdById: input.userId,
    },
    select: { id: true, priority: true },
  });
  const deliverable = await db.deliverable.create({
    data: { workspaceId: input.workspaceId, projectId: project.id, taskId: task.id, title: input.title ?? "Write the copy" },
    select: { id: true, title: true, projectId: true, workspaceId: true },
  });
  return { project, task, deliverable };
}

/** Opens the deliverable's clocks of these kinds at `now`, as the deliverable flow does. */
export async function openSlas(
  db: DbClient,
  made: Awaited<ReturnType<typeof makeReviewDeliverable>>,
  opts: { kinds?: SlaKind[]; now: Date; minuteMs?: number },
): Promise<OpenedSla[]> {
  const opened: OpenedSla[] = [];
  for (const kind of opts.kinds ?? ["first_response", "delivery"]) {
    opened.push(
      await openSla(db, {
        deliverableId: made.deliverable.id,
        workspaceId: made.deliverable.workspaceId,
        kind,
        priority: made.task.priority,
        policy: made.project.slaPolicy,
        now: opts.now,
        minuteMs: opts.minuteMs,
      }),
    );
  }
  return opened;
}
