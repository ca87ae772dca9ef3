// Run events: stored with a per-run sequence number so clients can resume after a gap. They are
// written by one raw statement (events-sql.ts) and read here through Prisma.
import type { DbClient, Prisma } from "../../lib/db";
import type { EventKind } from "../../generated/prisma/enums";
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
