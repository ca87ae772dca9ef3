// Test fixtures: a deliverable with versions in the states a test names, written as rows (the
// deliverable flow builds them for real; these tests are about who sees what of them).
import type { DbClient } from "../../lib/db";

type Status = "draft" | "review" | "approved" | "delivered" | "rejected";

export interface FixtureVersion {
  status: Status;
  title?: string;
  body?: string;
  /** The run's artifacts the version lists (id, filename, contentType, kind). */
  files?: Array<{ id: string; filename: string; contentType: string; kind: string }>;
}

/** A task and its deliverable, the versions numbered 1… in the order given; the deliverable takes the last one's status. */
export async function makeDeliverable(
  db: DbClient,
  opts: { projectId: string; createdById: string; agentId?: string; runId?: string; title?: string; versions: FixtureVersion[] },
) {
  const project = await db.project.findUniqueOrThrow({ where: { id: opts.projectId }, select: { workspaceId: true } });
  const title = opts.title ?? "A deliverable";
  const last = opts.versions[opts.versions.length - 1]!;
  // The task stands where its deliverable does: delivered work is done, work awaiting a decision is in review.
  const taskStatus = last.status === "delivered" ? "done" : last.status === "rejected" ? "ready" : "review";
  const task = await db.task.create({
    data: {
      projectId: opts.projectId,
      workspaceId: project.workspaceId,
      title,
      createdById: opts.createdById,
      requiresReview: true,
      status: taskStatus,
    },
    select: { id: true },
  });
  const deliveredAt = opts.versions.some((v) => v.status === "delivered") ? new Date() : null;
  const deliverable = await db.deliverable.create({
    data: {
      workspaceId: project.workspaceId,
      projectId: opts.projectId,
      taskId: task.id,
      title,
      status: last.status,
      latestVersion: opts.versions.length,
      agentId: opts.agentId ?? null,
      deliveredAt,
      deliveredById: deliveredAt ? opts.createdById : null,
    },
    select: { id: true },
  });
  const versions = [];
  for (const [i, v] of opts.versions.entries()) {
    versions.push(
      await db.deliverableVersion.create({
        data: {
          deliverableId: deliverable.id,
          number: i + 1,
          taskId: task.id,
          runId: opts.runId ?? null,
          agentId: opts.agentId ?? null,
          title: v.title ?? `${title} v${i + 1}`,
          body: v.body ?? `Version ${i + 1} (${v.status})`,
          files: v.files ?? [],
          status: v.status,
          decidedAt: v.status === "review" || v.status === "draft" ? null : new Date(),
          decidedById: v.status === "review" || v.status === "draft" ? null : opts.createdById,
        },
        select: { id: true, number: true, status: true },
      }),
    );
  }
  return { id: deliverable.id, taskId: task.id, versions };
}
