// Every 30 s (IDLE_KILL_EVERY_MS): cancels running runs idle past their timeout (reason `idle`)
// and expires runs past their duration whose delayed expiry job did not fire.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { stopRun } from "./stop-run";

export const idleKillJob = defineJob({
  name: "sandbox-idle-kill",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.IDLE_KILL_EVERY_MS,
  async handle() {
    const scale = config.MINUTE_SECONDS;
    const idle = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM sandboxes
       WHERE status = 'running'
         AND coalesce("lastActivityAt", "startedAt", "createdAt") < now() - make_interval(secs => "idleTimeoutMinutes" * ${scale})
       LIMIT 500`;
    const expired = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM sandboxes WHERE status IN ('running', 'booting') AND "expiresAt" < now() LIMIT 500`;
    // Expiry first: a run that is both over time and idle ran its course and did not make it.
    for (const { id } of expired) await stopRun(id, { to: "expired", reason: "duration elapsed" });
    for (const { id } of idle) await stopRun(id, { to: "canceled", reason: "idle" });
    return { idle: idle.length, expired: expired.length };
  },
});
