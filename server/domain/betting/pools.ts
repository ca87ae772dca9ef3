// A run's pool: created with the run, locked (open → locked) by time, progress or the run's end.
// Locking is a conditional UPDATE on the pool row, which is also the row every bet locks, so a
// bet either commits before the lock (and its createdAt precedes lockedAt) or sees the pool
// locked and is refused.
import { AppError } from "../../lib/errors";
import { Prisma, type DbClient } from "../../lib/db";
import type { PoolUpdateMessage } from "@shared/realtime";
import { cuidLike, poolAccountKey } from "../ledger";
import { reachedProgressLock, TERMINAL_RUN_STATUSES, type LockReason } from "@shared/run-status";

// UTC wall clock at the moment of the write (columns are timestamp(3) holding UTC).
const NOW_UTC = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')`;

export async function createPoolForRun(
  tx: Prisma.TransactionClient,
  input: { runId: string; locksAt: Date | null },
): Promise<{ id: string }> {
  const id = cuidLike();
  const account = await tx.ledgerAccount.create({ data: { key: poolAccountKey(id), kind: "pool" }, select: { id: true } });
  await tx.pool.create({
    data: { id, runId: input.runId, ledgerAccountId: account.id, locksAt: input.locksAt },
    select: { id: true },
  });
  return { id };
}

/** A bet as the market shows it (a pool's recent bets, a user's own). */
export const betSelect = {
  id: true,
  side: true,
  amount: true,
  oddsAtPlacement: true,
  payout: true,
  createdAt: true,
} satisfies Prisma.BetSelect;

export interface LockResult {
  locked: boolean;
  poolId?: string;
}

/** open → locked, recording why and when; a pool that is already locked or settled is left as is. */
export async function lockPool(client: DbClient, input: { runId: string; reason: LockReason }): Promise<LockResult> {
  // lockedAt is computed after the row lock is granted (Postgres re-evaluates the SET list on
  // the newest row version when it had to wait), so it is later than every bet committed before.
  const rows = await client.$queryRaw<{ id: string }[]>`
    UPDATE pools SET status = 'locked', "lockReason" = ${input.reason}, "lockedAt" = ${NOW_UTC}
     WHERE "runId" = ${input.runId} AND status = 'open'
    RETURNING id`;
  if (rows[0]) return { locked: true, poolId: rows[0].id };
  const pool = await client.pool.findUnique({ where: { runId: input.runId }, select: { id: true } });
  return pool ? { locked: false, poolId: pool.id } : { locked: false };
}

/** Called in the transaction that writes a run's progress: locks once progress reaches the progress lock. */
export async function lockPoolForProgress(
  tx: Prisma.TransactionClient,
  input: { runId: string; currentProgress: number; targetValue: number },
): Promise<LockResult> {
  if (!reachedProgressLock(input.currentProgress, input.targetValue)) return { locked: false };
  return lockPool(tx, { runId: input.runId, reason: "progress" });
}

/**
 * Records when the time lock is due, so odds and bets honor it even before the delayed job runs.
 * Returns the pool id, or null when there is no open pool left to lock.
 */
export async function setPoolLocksAt(client: DbClient, input: { runId: string; locksAt: Date }): Promise<string | null> {
  const rows = await client.$queryRaw<{ id: string }[]>`
    UPDATE pools SET "locksAt" = ${input.locksAt} WHERE "runId" = ${input.runId} AND status = 'open' RETURNING id`;
  return rows[0]?.id ?? null;
}

/** The pool:update message for a pool as stored now (callers emit it after their commit). */
export async function poolUpdateMessage(client: DbClient, poolId: string): Promise<PoolUpdateMessage> {
  const pool = await client.pool.findUnique({
    where: { id: poolId },
    select: { id: true, runId: true, yesTotal: true, noTotal: true, betCount: true, status: true, outcome: true, lockReason: true },
  });
  if (!pool) throw new AppError("NOT_FOUND", `pool ${poolId} does not exist`);
  return toPoolUpdateMessage(pool);
}

/** The pool:update message for a pool's state as the caller already knows it (a bet's totals, say). */
export function toPoolUpdateMessage(pool: {
  id: string;
  runId: string;
  yesTotal: number | bigint;
  noTotal: number | bigint;
  betCount: number;
  status: PoolUpdateMessage["status"];
  outcome: PoolUpdateMessage["outcome"];
  lockReason: string | null;
}): PoolUpdateMessage {
  return {
    runId: pool.runId,
    poolId: pool.id,
    yesTotal: Number(pool.yesTotal),
    noTotal: Number(pool.noTotal),
    betCount: pool.betCount,
    status: pool.status,
    outcome: pool.outcome,
    lockReason: pool.lockReason,
  };
}

/** Open pools whose time lock is due (the sweep applies the locks whose delayed job did not fire). */
export async function poolsPastTimeLock(client: DbClient, input: { limit: number }): Promise<{ id: string; runId: string }[]> {
  return client.pool.findMany({
    where: { status: "open", locksAt: { lte: new Date() } },
    select: { id: true, runId: true },
    take: input.limit,
  });
}

/** Pools still open or locked whose run has ended: settlement's backstop, oldest first. */
export async function unsettledPoolsOfEndedRuns(client: DbClient, input: { limit: number }): Promise<{ id: string }[]> {
  return client.pool.findMany({
    where: { status: { in: ["open", "locked"] }, run: { status: { in: [...TERMINAL_RUN_STATUSES] } } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: input.limit,
  });
}
