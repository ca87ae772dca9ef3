// After a run ends: stop its process and delete its sandbox (artifacts live elsewhere).
import { z } from "zod";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { defineJob } from "../define";
import { db } from "../../lib/db";
import { isTerminalRun } from "@shared/run-status";
import { destroySandbox } from "./provider-for";

export const finalizeJob = defineJob({
  name: "sandbox-finalize",
  schema: acceptFormerNames(z.object({ runId: z.string() }), FORMER_RUN_ID),
  jobOptions: { attempts: 5, backoff: { type: "exponential", delay: 2000 } },
  async handle({ runId }) {
    const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, provider: true, providerId: true } });
    if (!run || !isTerminalRun(run.status)) return { skipped: true };
    await destroySandbox(run.provider, run.providerId);
    return { removed: run.providerId };
  },
});
