// Appending run events: one raw statement (bench:bridge — the bridge's ingestion, the launch job's
// log lines), sent on the `pg` pool when it stands alone, or inside the caller's Prisma
// transaction when it goes with a status change or a progress report.
import { AppError } from "../../lib/errors";
import type { Prisma } from "../../lib/db";
import type pg from "pg";
import type { PgClient } from "../../lib/pg";
import type { EventKind } from "../../generated/prisma/enums";
import { STARTED_RUN_STATUSES } from "@shared/run-status";
import { statusListText } from "../../lib/run-status-sql";
import type { EventInput, StoredEvent } from "./events";

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

const STATUS_SQL = `SELECT status::text AS status FROM runs WHERE id = $1`;

type Row = { seq: number; kind: EventKind; payload: unknown; createdAt: Date };

/** Runs one statement on whichever client was given: the pg pool (or a client of it), or a Prisma transaction. */
async function query<R>(client: Prisma.TransactionClient | PgClient, sql: string, params: unknown[]): Promise<R[]> {
  if ("$queryRawUnsafe" in client) return client.$queryRawUnsafe<R[]>(sql, ...params);
  return (await client.query<R & pg.QueryResultRow>(sql, params)).rows;
}

/**
 * Appends events to a run, numbered after its last. `client`: the pg pool for a batch on its own
 * (one statement), or the caller's transaction (e.g. with a status change). With `requireActive`,
 * a run that is no longer booting or running refuses them (CONFLICT).
 */
export async function appendEvents(
  client: Prisma.TransactionClient | PgClient,
  runId: string,
  events: EventInput[],
  opts: { requireActive?: boolean } = {},
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const rows = await query<Row>(client, APPEND_SQL, [
    runId,
    events.length,
    events.map((e) => e.kind),
    events.map((e) => JSON.stringify(e.payload)),
    events.map((e) => (e.at ? e.at.toISOString() : null)),
    opts.requireActive ?? false,
  ]);
  if (rows.length === 0) {
    const [current] = await query<{ status: string }>(client, STATUS_SQL, [runId]);
    if (!current) throw new AppError("NOT_FOUND", "no run with that id", { field: "runId" });
    throw new AppError("CONFLICT", `the run is ${current.status}; it no longer accepts events`);
  }
  return rows
    .map((r): StoredEvent => ({ runId, seq: Number(r.seq), kind: r.kind, payload: r.payload, createdAt: r.createdAt }))
    .sort((a, b) => a.seq - b.seq);
}
