// A project's activity feed (project_activities): one row per thing that happened, written in the
// same transaction as the thing itself.
import type { DbClient, Prisma } from "../../lib/db";

export async function recordActivity(
  tx: DbClient,
  input: {
    workspaceId: string;
    projectId: string;
    actorId: string | null;
    kind: string;
    subjectId: string | null;
    data: Record<string, unknown>;
    clientVisible?: boolean;
    now: Date;
  },
) {
  await tx.projectActivity.create({
    data: {
      workspaceId: input.workspaceId,
      projectId: input.projectId,
      actorId: input.actorId,
      kind: input.kind,
      subjectId: input.subjectId,
      data: input.data as Prisma.InputJsonObject,
      clientVisible: input.clientVisible ?? false,
      createdAt: input.now,
    },
    select: { id: true },
  });
}
