// Run events: stored with a per-run sequence number so clients can resume after a gap.
import { AppError } from "../../lib/errors";
import type pg from "pg";
import type { DbClient, Prisma } from "../../lib/db";
import type { EventKind } from "../../generated/prisma/enums";
import { STARTED_RUN_STATUSES } from "@shared/run-status";
import { statusListText } from "../../lib/run-status-sql";
import { assertCanSeeRun, type Viewer } from "../workspaces/visibility";

export interface EventInput {
  kind: EventKind;
  payload: Record<string, unknown>;
  at?: Date;
}

export interface StoredEvent {
  runId: string;
  seq: number;
  kind: EventKind;
  payload: unknown;
  createdAt: Date;
}

// One statement reserves the sequence range on the run row (which also records activity) and
// inserts the batch, so concurrent batches get disjoint ranges and nothing is half-written.
const APPEND_SQL = `
  WITH run AS (
    UPDATE runs SET "eventSeq" = "eventSeq" + $2, "lastActivityAt" = now()
     WHERE id = $1 AND ($6::boolean = false OR status IN ${statusListText(STARTED_RUN_STATUSES)})
    RETURNING "eventSeq" - $2 AS base
  )
  INSERT INTO run_events ("runId", seq, kind, payload, "createdAt")
  SELECT $1, run.base + e.ord, e.kind::"EventKind", e.payload, least(coalesce(e.at, now()), now())
    FROM run, unnest($3::text[], $4::jsonb[], $5::timestamptz[]) WITH ORDINALITY AS e(kind, payload, at, ord)
  RETURNING seq, kind::text AS kind, payload, "createdAt"`;

type Exec = (sql: string, params: unknown[]) => Promise<{ seq: number; kind: EventKind; payload: unknown; createdAt: Date }[]>;

async function append(exec: Exec, status: () => Promise<string | null>, runId: string, events: EventInput[], requireActive: boolean) {
  if (events.length === 0) return [];
  const rows = await exec(APPEND_SQL, [
    runId,
    events.length,
    events.map((e) => e.kind),
    events.map((e) => JSON.stringify(e.payload)),
    events.map((e) => (e.at ? e.at.toISOString() : null)),
    requireActive,
  ]);
  if (rows.length === 0) {
    const current = await status();
    if (!current) throw new AppError("NOT_FOUND", "no run with that id", { field: "runId" });
    throw new AppError("CONFLICT", `the run is ${current}; it no longer accepts events`);
  }
  return rows
    .map((r): StoredEvent => ({ runId, seq: Number(r.seq), kind: r.kind, payload: r.payload, createdAt: r.createdAt }))
    .sort((a, b) => a.seq - b.seq);
}

/** Appends events inside the caller's transaction (e.g. with a status change). */
export async function appendEventsTx(
  tx: Prisma.TransactionClient,
  runId: string,
  events: EventInput[],
  opts: { requireActive?: boolean } = {},
): Promise<StoredEvent[]> {
  return append(
    (sql, params) => tx.$queryRawUnsafe(sql, ...params),
    async () => (await tx.run.findUnique({ where: { id: runId }, select: { status: true } }))?.status ?? null,
    runId,
    events,
    opts.requireActive ?? false,
  );
}

/** Appends events on their own (the bridge's hot path: one statement on the pg pool). */
export async function appendEvents(
  pool: pg.Pool,
  runId: string,
  events: EventInput[],
  opts: { requireActive?: boolean } = {},
): Promise<StoredEvent[]> {
  return append(
    async (sql, params) => (await pool.query<Awaited<ReturnType<Exec>>[number]>(sql, params)).rows,
    async () => (await pool.query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [runId])).rows[0]?.status ?? null,
    runId,
    events,
    opts.requireActive ?? false,
  );
}

export const eventSelect = {
  seq: true,
  kind: true,
  payload: true,
  createdAt: true,
} satisfies Prisma.RunEventSelect;

/** Events of a run the viewer may see: newest first (cursor = the last seq seen), or in order after a seq. */
export async function listEvents(
  client: DbClient,
  viewer: Viewer,
  input: { runId: string; limit: number; beforeSeq?: number | undefined; afterSeq?: number | undefined },
) {
  await assertCanSeeRun(client, viewer, input.runId);
  if (input.afterSeq !== undefined) {
    const items = await client.runEvent.findMany({
      where: { runId: input.runId, seq: { gt: input.afterSeq } },
      orderBy: { seq: "asc" },
      take: input.limit,
      select: eventSelect,
    });
    return { items, nextCursor: items.length === input.limit ? items[items.length - 1]!.seq : null };
  }
  const items = await client.runEvent.findMany({
    where: { runId: input.runId, ...(input.beforeSeq !== undefined ? { seq: { lt: input.beforeSeq } } : {}) },
    orderBy: { seq: "desc" },
    take: input.limit,
    select: eventSelect,
  });
  return { items, nextCursor: items.length === input.limit ? items[items.length - 1]!.seq : null };
}
