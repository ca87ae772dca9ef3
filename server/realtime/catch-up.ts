// Replay for reconnecting watchers: the events stored after the last sequence number a client
// saw, so a dropped connection (or a restarted API process) loses nothing.
import type { DbClient } from "../lib/db";
import type { RunEventMessage } from "@shared/realtime";

/** Most events one subscribe acknowledgement carries; the client pages the rest with run.events. */
export const CATCH_UP_LIMIT = 1000;

export interface CatchUp {
  missed: RunEventMessage[];
  /** The run's latest sequence number when the query ran. */
  lastSeq: number;
  /** More than CATCH_UP_LIMIT events were missed; `missed` holds the oldest of them. */
  more: boolean;
}

export async function eventsAfter(db: DbClient, runId: string, afterSeq: number, limit = CATCH_UP_LIMIT): Promise<CatchUp> {
  const [rows, run] = await Promise.all([
    db.runEvent.findMany({
      where: { runId, seq: { gt: afterSeq } },
      orderBy: { seq: "asc" },
      take: limit + 1,
      select: { seq: true, kind: true, payload: true, createdAt: true },
    }),
    db.run.findUnique({ where: { id: runId }, select: { eventSeq: true } }),
  ]);
  const page = rows.slice(0, limit);
  const missed = page.map((r) => ({
    runId,
    seq: r.seq,
    kind: r.kind,
    payload: r.payload,
    createdAt: r.createdAt.toISOString(),
  }));
  const lastStored = page.at(-1)?.seq ?? afterSeq;
  return { missed, lastSeq: Math.max(run?.eventSeq ?? 0, lastStored), more: rows.length > limit };
}

/** The run's latest event sequence number (0 before its first event). */
export async function latestSeq(db: DbClient, runId: string): Promise<number> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { eventSeq: true } });
  return run?.eventSeq ?? 0;
}
