// Run events: stored with a per-run sequence number so clients can resume after a gap.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import type { EventKind, SandboxStatus } from "../../generated/prisma/enums";

export interface EventInput {
  kind: EventKind;
  payload: Record<string, unknown>;
  at?: Date;
}

export interface StoredEvent {
  sandboxId: string;
  seq: number;
  kind: EventKind;
  payload: unknown;
  createdAt: Date;
}

const ACTIVE_STATUSES: SandboxStatus[] = ["booting", "running"];

/**
 * Appends events inside the caller's transaction. The sequence range is reserved by one UPDATE
 * on the run row (which also records activity), so concurrent batches get disjoint ranges.
 * With `requireActive`, a run that is not booting or running refuses the batch.
 */
export async function appendEventsTx(
  tx: Prisma.TransactionClient,
  sandboxId: string,
  events: EventInput[],
  opts: { requireActive?: boolean } = {},
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const rows = await tx.$queryRaw<{ eventSeq: number; status: SandboxStatus }[]>`
    UPDATE sandboxes SET "eventSeq" = "eventSeq" + ${events.length}, "lastActivityAt" = now()
     WHERE id = ${sandboxId}
    RETURNING "eventSeq", status`;
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", "no run with that id", { field: "sandboxId" });
  if (opts.requireActive && !ACTIVE_STATUSES.includes(row.status)) {
    throw new AppError("CONFLICT", `the run is ${row.status}; it no longer accepts events`);
  }
  const first = row.eventSeq - events.length + 1;
  const now = new Date();
  const stored: StoredEvent[] = events.map((e, i) => ({
    sandboxId,
    seq: first + i,
    kind: e.kind,
    payload: e.payload,
    createdAt: e.at && e.at.getTime() <= now.getTime() ? e.at : now,
  }));
  await tx.sandboxEvent.createMany({
    data: stored.map((e) => ({ ...e, payload: e.payload as Prisma.InputJsonValue })),
  });
  return stored;
}

export async function appendEvents(
  client: DbClient,
  sandboxId: string,
  events: EventInput[],
  opts: { requireActive?: boolean } = {},
): Promise<StoredEvent[]> {
  return inTransaction(client, (tx) => appendEventsTx(tx, sandboxId, events, opts));
}

export const eventSelect = {
  seq: true,
  kind: true,
  payload: true,
  createdAt: true,
} satisfies Prisma.SandboxEventSelect;

/** Events of a run: newest first (cursor = the last seq seen), or in order after a seq. */
export async function listEvents(
  client: DbClient,
  input: { sandboxId: string; limit: number; beforeSeq?: number; afterSeq?: number },
) {
  if (input.afterSeq !== undefined) {
    const items = await client.sandboxEvent.findMany({
      where: { sandboxId: input.sandboxId, seq: { gt: input.afterSeq } },
      orderBy: { seq: "asc" },
      take: input.limit,
      select: eventSelect,
    });
    return { items, nextCursor: items.length === input.limit ? items[items.length - 1]!.seq : null };
  }
  const items = await client.sandboxEvent.findMany({
    where: { sandboxId: input.sandboxId, ...(input.beforeSeq !== undefined ? { seq: { lt: input.beforeSeq } } : {}) },
    orderBy: { seq: "desc" },
    take: input.limit,
    select: eventSelect,
  });
  return { items, nextCursor: items.length === input.limit ? items[items.length - 1]!.seq : null };
}
