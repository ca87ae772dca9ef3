// What the run sweeps look for (server/commands/run-lifecycle.ts acts on it). Raw SQL where the
// condition compares a row's columns with each other (an idle timeout per run, the latest status
// event), which Prisma cannot say.
import type { DbClient } from "../../lib/db";
import { statusList } from "../../lib/run-status-sql";
import { STARTED_RUN_STATUSES } from "@shared/run-status";

type Ids = { id: string }[];

/** Running runs silent for longer than their idle timeout, not being verified (a verifier is not idleness). */
export function idleRuns(db: DbClient, input: { minuteSeconds: number; limit: number }): Promise<Ids> {
  return db.$queryRaw<Ids>`
    SELECT id FROM runs
     WHERE status = 'running' AND "verifyRequestedAt" IS NULL
       AND coalesce("lastActivityAt", "startedAt", "createdAt") < now() - make_interval(secs => "idleTimeoutMinutes" * ${input.minuteSeconds})
     LIMIT ${input.limit}`;
}

/** Started runs past their expiresAt (their delayed expiry job did not fire). */
export function overdueRuns(db: DbClient, input: { limit: number }): Promise<Ids> {
  return db.$queryRaw<Ids>`
    SELECT id FROM runs WHERE status IN ${statusList(STARTED_RUN_STATUSES)} AND "expiresAt" < now() LIMIT ${input.limit}`;
}

/** Runs booting for longer than `seconds` since their latest status event (the change to booting, written with it). */
export function stalledBootingRuns(db: DbClient, input: { seconds: number; limit: number }): Promise<Ids> {
  return db.$queryRaw<Ids>`
    SELECT s.id FROM runs s
     WHERE s.status = 'booting'
       AND coalesce((SELECT max(e."createdAt") FROM run_events e WHERE e."runId" = s.id AND e.kind = 'status'), s."createdAt")
           < now() - make_interval(secs => ${input.seconds})
     LIMIT ${input.limit}`;
}

/** Running runs whose verification was asked for before `before` and has not ended them. */
export function pendingVerifications(db: DbClient, input: { before: Date; limit: number }) {
  return db.run.findMany({
    where: { status: "running", verifyRequestedAt: { lt: input.before } },
    select: { id: true, expiresAt: true },
    take: input.limit,
  });
}
