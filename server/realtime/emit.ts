// Publishing live updates from any process (API or worker): the Socket.IO Redis emitter writes
// to the same Redis channels the servers' Redis adapter listens on, so every API process
// delivers to its own connected browsers. Domain code never calls this; callers do, after the
// domain change has committed.
import { Emitter } from "@socket.io/redis-emitter";
import type { Redis } from "ioredis";
import { config } from "../config";
import { createRedis } from "../lib/redis";
import type { ServerToClientEvents } from "@shared/realtime";
import { rooms } from "@shared/realtime";
import { db } from "../lib/db";
import type { RunPlacement } from "../domain/workspaces/visibility";

let emitter: Emitter<ServerToClientEvents> | undefined;
let connection: Redis | undefined;

/** The Redis channel prefix shared by the adapter (server) and the emitter (publishers). */
export const socketChannelPrefix = () => `${config.REDIS_PREFIX}:socket.io`;

function get(): Emitter<ServerToClientEvents> {
  if (!emitter) {
    const conn = createRedis("general");
    // After a shutdown (closeAllRedis) the next publish opens a fresh connection.
    conn.once("end", () => {
      if (connection === conn) {
        connection = undefined;
        emitter = undefined;
      }
    });
    connection = conn;
    // The emitter does not handle its publishes' promises: during a long Redis outage ioredis
    // rejects the queued ones, and an unhandled rejection would end the process.
    const publisher = { publish: (channel: string, message: string | Buffer) => conn.publish(channel, message).catch(() => 0) };
    emitter = new Emitter<ServerToClientEvents>(publisher, { key: socketChannelPrefix() });
  }
  return emitter;
}

type Args<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>;

export function emitToRooms<E extends keyof ServerToClientEvents>(roomNames: string[], event: E, ...args: Args<E>): void {
  try {
    // The emitter's typed overloads don't line up with a generic event name; the map above does.
    (get().to(roomNames) as unknown as { emit: (e: string, ...a: unknown[]) => void }).emit(event, ...args);
  } catch {
    /* live updates are best effort: the state is already stored and clients catch up on reconnect */
  }
}

/**
 * Where each run is shown, looked up once per process: a run's workspace and visibility are set
 * at launch (a workspace's deletion moves only ended runs, which send no more updates).
 */
const placements = new Map<string, Promise<RunPlacement | null>>();
const PLACEMENTS_KEPT = 10_000;

function placementOf(runId: string): Promise<RunPlacement | null> {
  const known = placements.get(runId);
  if (known) return known;
  const lookup = db.run.findUnique({ where: { id: runId }, select: { workspaceId: true, visibility: true } });
  if (placements.size >= PLACEMENTS_KEPT) placements.delete(placements.keys().next().value!);
  placements.set(runId, lookup);
  // A failed lookup, or a run not there yet, is asked again next time.
  lookup.then(
    (p) => p ?? placements.delete(runId),
    () => placements.delete(runId),
  );
  return lookup;
}

function arenaRooms(p: RunPlacement | null): string[] {
  if (!p || p.visibility === "public") return [rooms.arena];
  return [rooms.workspaceArena(p.workspaceId), rooms.privateArena];
}

/** Items given per key during the current turn of the event loop, and how to send them. */
const gathering = new Map<string, unknown[]>();

function gather<T>(key: string, item: T, send: (items: T[]) => void): void {
  const pending = gathering.get(key) as T[] | undefined;
  if (pending) {
    pending.push(item);
    return;
  }
  const items = [item];
  gathering.set(key, items);
  setImmediate(() => {
    gathering.delete(key);
    send(items);
  });
}

export const live = {
  /**
   * For items watchers want every one of (bets placed): the items given for one key within a turn
   * of the event loop go out as ONE message, in the order given. Bets settled by one statement
   * resolve in the same turn, so a hot pool costs its watchers a message per statement, not per
   * bet. `send` is the first call's for the key in that turn (callers pass the same one).
   */
  gather,
  /**
   * For state snapshots where a newer message replaces an older one (a pool's totals): of the
   * sends given for one key within a turn of the event loop, only the last is published.
   */
  latest(key: string, send: () => void) {
    gather(key, send, (sends) => sends[sends.length - 1]!());
  },
  run<E extends keyof ServerToClientEvents>(runId: string, event: E, ...args: Args<E>) {
    emitToRooms([rooms.run(runId)], event, ...args);
  },
  /**
   * To the run's watchers and the arena (progress, status, odds changes): the public arena for a
   * public run; for a workspace run, its members' and the site operators' arena rooms only.
   */
  runAndArena<E extends keyof ServerToClientEvents>(runId: string, event: E, ...args: Args<E>) {
    // Every send for a run waits on the same lookup, so they still go out in the order given.
    placementOf(runId).then(
      (p) => emitToRooms([rooms.run(runId), ...arenaRooms(p)], event, ...args),
      () => emitToRooms([rooms.run(runId)], event, ...args),
    );
  },
  user<E extends keyof ServerToClientEvents>(userId: string, event: E, ...args: Args<E>) {
    emitToRooms([rooms.user(userId)], event, ...args);
  },
  /** To a workspace's members (the realtime server lets only members join its room). */
  workspace<E extends keyof ServerToClientEvents>(workspaceId: string, event: E, ...args: Args<E>) {
    emitToRooms([rooms.workspace(workspaceId)], event, ...args);
  },
};
