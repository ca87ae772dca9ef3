// Housekeeping (every REAPER_EVERY_MS):
// - removes provider sandboxes whose run is over or unknown (missed cleanups, crashed workers);
// - re-enqueues the launch of runs stuck in `queued` (e.g. Redis was briefly down at create), and
//   the verification of runs whose agent completed while Redis was down.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { LIVE_RUN_STATUSES } from "@shared/run-status";
import { logger } from "../../lib/logger";
import { enqueue } from "../queues";
import { PADDOCK_LABEL, RUN_LABEL } from "../../providers/types";
import { availableProviders, providerFor } from "./provider-for";
import { launchJob } from "./launch";
import { enqueueVerify } from "./verify";

export const reaperJob = defineJob({
  name: "sandbox-reaper",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.REAPER_EVERY_MS,
  async handle() {
    let removed = 0;
    for (const name of availableProviders()) {
      const provider = providerFor(name);
      const sandboxes = await provider.list({ [PADDOCK_LABEL]: "1" }).catch((err: unknown) => {
        logger.warn({ err, provider: name }, "reaper could not list sandboxes");
        return [];
      });
      const runIds = sandboxes.map((s) => s.labels[RUN_LABEL]).filter((id): id is string => Boolean(id));
      const live = new Set(
        (await db.run.findMany({ where: { id: { in: runIds }, status: { in: [...LIVE_RUN_STATUSES] } }, select: { id: true } })).map(
          (r) => r.id,
        ),
      );
      for (const s of sandboxes) {
        const runId = s.labels[RUN_LABEL];
        if (runId && live.has(runId)) continue;
        await provider.remove(s.providerId).then(
          () => (removed += 1),
          (err: unknown) => logger.warn({ err, providerId: s.providerId }, "reaper could not remove a sandbox"),
        );
      }
    }
    const stuck = await db.run.findMany({
      where: { status: "queued", createdAt: { lt: new Date(Date.now() - 30_000) } },
      select: { id: true },
      take: 100,
    });
    for (const { id } of stuck) await enqueue(launchJob, { runId: id }, { jobId: `launch-${id}` });
    // Verifications asked for while Redis was down (the job id makes a repeat harmless).
    const unverified = await db.run.findMany({
      where: { status: "running", verifyRequestedAt: { lt: new Date(Date.now() - 30_000) } },
      select: { id: true, expiresAt: true },
      take: 100,
    });
    for (const r of unverified) await enqueueVerify(r.id, r.expiresAt && r.expiresAt < new Date() ? "deadline" : "completed");
    return { removed, requeued: stuck.length + unverified.length };
  },
});
