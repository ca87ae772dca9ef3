// The names, payloads and options of the betting jobs that commands enqueue, apart from their
// handlers (which call those commands back), and their job ids.
import { z } from "zod";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";

/** The time lock, delayed to timeLockAt (shared/run-status.ts); jobId lockJobId(poolId). */
export const lockPoolJobSpec = {
  name: "betting-lock-pool",
  schema: acceptFormerNames(z.object({ runId: z.string().min(1) }), FORMER_RUN_ID),
};

/** Settles one pool once its run ended; jobId settleJobId(poolId). */
export const settlePoolJobSpec = { name: "betting-settle-pool", schema: z.object({ poolId: z.string().min(1) }) };

// BullMQ refuses custom job ids containing ":" (it is its key separator), so the business keys
// settle:<poolId> / lock:<poolId> are spelled with "-".
export const settleJobId = (poolId: string) => `settle-${poolId}`;
export const lockJobId = (poolId: string) => `lock-${poolId}`;
