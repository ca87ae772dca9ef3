// Stops a run when its duration is over (a delayed job at expiresAt; the sweep is the backstop).
import { z } from "zod";
import { defineJob } from "../define";
import { db } from "../../lib/db";
import { stopRun } from "./stop-run";

export const expireJob = defineJob({
  name: "sandbox-expire",
  schema: z.object({ sandboxId: z.string() }),
  async handle({ sandboxId }) {
    const run = await db.sandbox.findUnique({ where: { id: sandboxId }, select: { status: true, expiresAt: true } });
    if (!run || (run.status !== "running" && run.status !== "booting")) return { skipped: true };
    if (run.expiresAt && run.expiresAt.getTime() > Date.now() + 1000) return { early: true };
    return stopRun(sandboxId, { to: "expired", reason: "duration elapsed" });
  },
});
