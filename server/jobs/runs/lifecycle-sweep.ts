// Every 30 s (IDLE_KILL_EVERY_MS): cancels running runs idle past their timeout (reason `idle`),
// expires runs past their duration whose delayed expiry job did not fire, and fails runs stuck
// in `booting` past BOOTING_TIMEOUT_MINUTES (a launch that stalled, a worker that died): their
// credits return with the transition, and their pool is refunded because they never started.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { statusList } from "../../lib/run-status-sql";
import { STARTED_RUN_STATUSES } from "@shared/run-status";
import { stopRun } from "../../commands/stop-run";
import { expireRun } from "./expire";

export const idleKillJob = defineJob({
  name: "sandbox-idle-kill",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.IDLE_KILL_EVERY_MS,
  async handle() {
    const scale = config.MINUTE_SECONDS;
    // A run whose verifier is running is not idle: the verify job ends it.
    const idle = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM runs
       WHERE status = 'running' AND "verifyRequestedAt" IS NULL
         AND coalesce("lastActivityAt", "startedAt", "createdAt") < now() - make_interval(secs => "idleTimeoutMinutes" * ${scale})
       LIMIT 500`;
    const expired = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM runs WHERE status IN ${statusList(STARTED_RUN_STATUSES)} AND "expiresAt" < now() LIMIT 500`;
    // Booting since its latest status event (the change to booting, written with it).
    const stalled = await db.$queryRaw<{ id: string }[]>`
      SELECT s.id FROM runs s
       WHERE s.status = 'booting'
         AND coalesce((SELECT max(e."createdAt") FROM run_events e WHERE e."runId" = s.id AND e.kind = 'status'), s."createdAt")
             < now() - make_interval(secs => ${config.BOOTING_TIMEOUT_MINUTES * scale})
       LIMIT 500`;
    // Expiry first: a run that is both over time and idle ran its course and did not make it.
    for (const { id } of expired) await expireRun(id);
    // Not a run just expired: one with a verifier is being measured now, not idle.
    const expiredIds = new Set(expired.map((r) => r.id));
    for (const { id } of idle) if (!expiredIds.has(id)) await stopRun(id, { to: "canceled", reason: "idle" });
    for (const { id } of stalled) {
      await stopRun(id, { to: "failed", reason: `never started: still booting after ${config.BOOTING_TIMEOUT_MINUTES} minutes` });
    }
    // Verifications asked for but never finished (the job was lost, or failed every attempt).
    const stuck = await db.run.findMany({
      where: { status: "running", verifyRequestedAt: { lt: new Date(Date.now() - 3 * config.VERIFY_TIMEOUT_MS - 60_000) } },
      select: { id: true },
      take: 100,
    });
    for (const { id } of stuck) await stopRun(id, { to: "failed", reason: "verification did not finish" });
    return { idle: idle.length, expired: expired.length, stalled: stalled.length, unverified: stuck.length };
  },
});
