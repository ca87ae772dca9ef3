// Portal commands: a client's rating and a message on a project's thread — the domain's
// transaction, then the live messages once it has committed. A message reaches the workspace's
// members through its room and each of the project's clients through their own user room (clients
// never join the workspace room, which carries work and costs).
import { db } from "../lib/db";
import type { RateInput } from "@shared/portal";
import { rateDeliverable } from "../domain/portal/portal";
import { postMessage as postMessageTx } from "../domain/portal/messages";
import { emitToRooms, live } from "../realtime/emit";
import { rooms } from "@shared/realtime";

export async function rate(args: RateInput & { userId: string }) {
  const { deliverable, update } = await rateDeliverable(db, args);
  live.workspace(update.workspaceId, "deliverable:update", update);
  return deliverable;
}

export async function postMessage(args: { userId: string; projectId: string; body: string }) {
  const { message, workspaceId, clientIds } = await postMessageTx(db, args);
  emitToRooms([rooms.workspace(workspaceId), ...clientIds.map((id) => rooms.user(id))], "message:new", {
    messageId: message.id,
    projectId: message.projectId,
    workspaceId,
    body: message.body,
    author: message.author,
    createdAt: message.createdAt.toISOString(),
  });
  return message;
}
