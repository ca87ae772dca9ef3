// The facts shared/run-rules.ts decides on, read for one user and run.
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import type { SandboxStatus } from "../../generated/prisma/enums";
import type { RunStanding } from "@shared/run-rules";

export interface RunStandingRow extends RunStanding {
  status: SandboxStatus;
  poolId: string | null;
}

/**
 * `lockPool`: take the pool's row lock first (FOR NO KEY UPDATE, as placeBet does), so bets
 * placed before it are visible here and a bet after it waits for the caller's commit.
 */
export async function readRunStanding(
  client: DbClient,
  input: { sandboxId: string; userId: string; lockPool?: boolean },
): Promise<RunStandingRow> {
  if (input.lockPool) await client.$queryRaw`SELECT 1 FROM pools WHERE "sandboxId" = ${input.sandboxId} FOR NO KEY UPDATE`;
  const rows = await client.$queryRaw<
    { createdById: string; status: SandboxStatus; poolId: string | null; hasBet: boolean; hasPrompted: boolean; poolLocked: boolean }[]
  >`
    SELECT s."createdById", s.status, p.id AS "poolId",
           EXISTS (SELECT 1 FROM bets b WHERE b."poolId" = p.id AND b."userId" = ${input.userId}) AS "hasBet",
           coalesce(${input.userId} = ANY (p."steeredBy"), false) AS "hasPrompted",
           coalesce(p.status <> 'open' OR p."locksAt" <= (now() AT TIME ZONE 'UTC'), false) AS "poolLocked"
      FROM sandboxes s LEFT JOIN pools p ON p."sandboxId" = s.id
     WHERE s.id = ${input.sandboxId}`;
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", "no run with that id", { field: "id" });
  return row;
}
