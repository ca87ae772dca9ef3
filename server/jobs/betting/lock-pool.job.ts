// The time lock: a delayed job (jobId lock-<poolId>) due at timeLockAt (shared/run-status.ts).
import { z } from "zod";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { defineJob } from "../define";
import { db } from "../../lib/db";
import { lockPool } from "../../domain/betting/pools";
import { publishPoolUpdateById } from "../../commands/pool-effects";

export const lockPoolJob = defineJob({
  name: "betting-lock-pool",
  schema: acceptFormerNames(z.object({ runId: z.string().min(1) }), FORMER_RUN_ID),
  async handle({ runId }) {
    const result = await lockPool(db, { runId, reason: "time" });
    if (result.locked && result.poolId) await publishPoolUpdateById(result.poolId);
    return result;
  },
});
