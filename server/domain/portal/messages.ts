// A project's message thread between the workspace's team and the clients it is shared with:
// members who may see the project's work and its clients read and post; anyone else gets NOT_FOUND.
import type { Db, DbClient, Prisma } from "../../lib/db";
import { projectClientIds, projectParticipant } from "./access";

const messageSelect = (workspaceId: string) =>
  ({
    id: true,
    projectId: true,
    body: true,
    createdAt: true,
    author: { select: { id: true, name: true, workspaceMemberships: { where: { workspaceId }, select: { role: true } } } },
  }) satisfies Prisma.ProjectMessageSelect;

type MessageRow = Prisma.ProjectMessageGetPayload<{ select: ReturnType<typeof messageSelect> }>;

function messageView(m: MessageRow) {
  return {
    id: m.id,
    projectId: m.projectId,
    body: m.body,
    createdAt: m.createdAt,
    author: { id: m.author.id, name: m.author.name, isClient: m.author.workspaceMemberships[0]?.role === "client" },
  };
}
export type MessageView = ReturnType<typeof messageView>;

/** The thread, oldest first: the newest `limit` messages, or those before `before` (a message id). */
export async function listMessages(db: DbClient, args: { userId: string; projectId: string; before?: string; limit: number }) {
  const { project } = await projectParticipant(db, { userId: args.userId, projectId: args.projectId, field: "projectId" });
  const rows = await db.projectMessage.findMany({
    where: { projectId: project.id },
    select: messageSelect(project.workspaceId),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: args.limit + 1,
    ...(args.before ? { cursor: { id: args.before }, skip: 1 } : {}),
  });
  const more = rows.length > args.limit;
  return { messages: rows.slice(0, args.limit).map(messageView).reverse(), more };
}

/** Posts to the thread and records it in the activity feed; returns who the caller tells live. */
export async function postMessage(db: Db, args: { userId: string; projectId: string; body: string; now?: Date }) {
  const now = args.now ?? new Date();
  return db.$transaction(async (tx) => {
    const { project, as } = await projectParticipant(tx, { userId: args.userId, projectId: args.projectId, field: "projectId" });
    const row = await tx.projectMessage.create({
      data: { projectId: project.id, workspaceId: project.workspaceId, authorId: args.userId, body: args.body, createdAt: now },
      select: messageSelect(project.workspaceId),
    });
    await tx.projectActivity.create({
      data: {
        workspaceId: project.workspaceId,
        projectId: project.id,
        actorId: args.userId,
        kind: "message.posted",
        subjectId: row.id,
        data: { excerpt: args.body.slice(0, 140), fromClient: as === "client" },
        clientVisible: true,
        createdAt: now,
      },
    });
    return { message: messageView(row), workspaceId: project.workspaceId, clientIds: await projectClientIds(tx, project) };
  });
}
