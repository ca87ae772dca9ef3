// Progress toward the run's target, written with its event and the pool's progress lock check
// in one transaction.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient } from "../../lib/db";
import { STARTED_RUN_STATUSES } from "@shared/run-status";
import { statusList } from "../../lib/run-status-sql";
import type { StoredEvent } from "./events";
import { appendEvents } from "./events-sql";
import { lockPoolForProgress } from "../betting";

export interface ProgressResult {
  currentProgress: number;
  targetValue: number;
  reachedTarget: boolean;
  event: StoredEvent;
  poolLocked: { poolId: string } | null;
}

export async function recordProgress(db: DbClient, input: { runId: string; value: number; note?: string }): Promise<ProgressResult> {
  if (!Number.isFinite(input.value) || input.value < 0) {
    throw new AppError("BAD_REQUEST", "value must be a finite number ≥ 0", { field: "value" });
  }
  return inTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ targetValue: number; status: string }[]>`
      UPDATE runs
         SET "currentProgress" = ${input.value}, "lastActivityAt" = now(),
             "reachedTargetAt" = CASE WHEN ${input.value} >= "targetValue" THEN coalesce("reachedTargetAt", now()) ELSE "reachedTargetAt" END
       WHERE id = ${input.runId} AND status IN ${statusList(STARTED_RUN_STATUSES)}
      RETURNING "targetValue", status`;
    const row = rows[0];
    if (!row) {
      const run = await tx.run.findUnique({ where: { id: input.runId }, select: { status: true } });
      if (!run) throw new AppError("NOT_FOUND", "no run with that id");
      throw new AppError("CONFLICT", `the run is ${run.status}; it no longer accepts progress`);
    }
    const [event] = await appendEvents(tx, input.runId, [
      { kind: "progress", payload: { value: input.value, ...(input.note ? { note: input.note } : {}) } },
    ]);
    const lock = await lockPoolForProgress(tx, { runId: input.runId, currentProgress: input.value, targetValue: row.targetValue });
    return {
      currentProgress: input.value,
      targetValue: row.targetValue,
      reachedTarget: input.value >= row.targetValue,
      event: event!,
      poolLocked: lock.locked && lock.poolId ? { poolId: lock.poolId } : null,
    };
  });
}
