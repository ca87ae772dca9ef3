// When someone's workspace membership changes (removed, left, role changed, workspace deleted),
// the sockets they have open may be watching runs they can no longer see. The workspace commands
// (server/commands/workspace.ts) announce the user ids on one Redis channel after the change
// commits; every API process listens and re-checks those users' run rooms on its own sockets with
// the visibility rule, leaving the ones now refused.
import type { Redis } from "ioredis";
import { config } from "../config";
import type { DbClient } from "../lib/db";
import { createRedis, redis } from "../lib/redis";
import { logger } from "../lib/logger";
import { rooms } from "@shared/realtime";
import { canViewRun } from "./access";
import { RUN_SEEING_MEMBER, seesEveryRun } from "../domain/workspaces/visibility";
import type { PaddockIo } from "./server";

export const membershipChannel = () => `${config.REDIS_PREFIX}:workspace-membership`;

/** Best effort, like every live message: the rooms are re-checked at the next subscribe anyway. */
export async function announceMembershipChange(userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await redis()
    .publish(membershipChannel(), JSON.stringify({ userIds }))
    .catch((err: unknown) => logger.warn({ err }, "could not announce a workspace membership change"));
}

const RUN_ROOM = rooms.run("");
const WORKSPACE_ARENA = rooms.workspaceArena("");
const WORKSPACE_ROOM = rooms.workspace("");

export const isArenaRoom = (room: string) => room === rooms.arena || room.startsWith(WORKSPACE_ARENA);

/**
 * The arena rooms a user's socket joins: public runs, the private runs of each workspace they
 * belong to, and every private run for site operators and admins (the visibility rule, by room).
 */
export async function arenaRoomsFor(db: DbClient, userId: string): Promise<string[]> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, role: true, workspaceMemberships: { where: RUN_SEEING_MEMBER, select: { workspaceId: true } } },
  });
  if (!user) return [];
  if (seesEveryRun(user)) return [rooms.arena, rooms.privateArena];
  return [rooms.arena, ...user.workspaceMemberships.map((m) => rooms.workspaceArena(m.workspaceId))];
}

/** Makes this user's sockets on this process leave the run and arena rooms they may no longer see. */
export async function recheckRunRooms(io: PaddockIo, db: DbClient, userId: string): Promise<number> {
  const sockets = await io.local.in(rooms.user(userId)).fetchSockets();
  const runIds = new Set<string>();
  for (const s of sockets) for (const room of s.rooms) if (room.startsWith(RUN_ROOM)) runIds.add(room.slice(RUN_ROOM.length));
  let left = 0;
  const allowedArenas = new Set(await arenaRoomsFor(db, userId));
  const memberOf = new Set(
    (await db.workspaceMember.findMany({ where: { userId, ...RUN_SEEING_MEMBER }, select: { workspaceId: true } })).map((m) =>
      rooms.workspace(m.workspaceId),
    ),
  );
  for (const s of sockets) {
    for (const room of s.rooms) {
      if ((room.startsWith(WORKSPACE_ARENA) && !allowedArenas.has(room)) || (room.startsWith(WORKSPACE_ROOM) && !memberOf.has(room))) {
        s.leave(room);
        left += 1;
      }
    }
  }
  for (const runId of runIds) {
    if (await canViewRun(db, userId, runId)) continue;
    for (const s of sockets) {
      if (s.rooms.has(rooms.run(runId))) {
        s.leave(rooms.run(runId));
        left += 1;
      }
    }
  }
  return left;
}

/** Subscribes this process to membership changes; returns how to stop. */
export async function watchMembershipChanges(io: PaddockIo, db: DbClient): Promise<{ close(): Promise<void> }> {
  const sub: Redis = createRedis("subscriber");
  sub.on("message", (channel: string, message: string) => {
    if (channel !== membershipChannel()) return;
    let userIds: unknown;
    try {
      userIds = (JSON.parse(message) as { userIds?: unknown }).userIds;
    } catch {
      return;
    }
    if (!Array.isArray(userIds)) return;
    for (const userId of userIds) {
      if (typeof userId !== "string") continue;
      recheckRunRooms(io, db, userId).catch((err: unknown) => logger.warn({ err, userId }, "could not re-check a user's run rooms"));
    }
  });
  await sub.subscribe(membershipChannel());
  return { close: async () => void (await sub.quit().catch(() => sub.disconnect())) };
}
