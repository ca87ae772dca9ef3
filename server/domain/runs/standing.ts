// The facts shared/run-rules.ts decides on, read for one user and run — after the visibility rule:
// a run the user may not see is "not found", whatever they meant to do with it. A client of the
// workspace counts as no member (server/domain/workspaces/visibility.ts).
import type { DbClient } from "../../lib/db";
import type { RunVisibility, RunStatus, WorkspaceRole } from "../../generated/prisma/enums";
import type { RunActor, RunStanding } from "@shared/run-rules";
import { mayView, runNotFound, type Viewer } from "../workspaces/visibility";

export interface RunStandingRow extends RunStanding {
  status: RunStatus;
  poolId: string | null;
}

/**
 * `lockPool`: take the pool's row lock first (FOR NO KEY UPDATE, as placeBet does), so bets
 * placed before it are visible here and a bet after it waits for the caller's commit.
 */
export async function readRunStanding(
  client: DbClient,
  input: { runId: string; viewer: Viewer; lockPool?: boolean },
): Promise<RunStandingRow> {
  const userId = input.viewer.id;
  if (input.lockPool) await client.$queryRaw`SELECT 1 FROM pools WHERE "runId" = ${input.runId} FOR NO KEY UPDATE`;
  const rows = await client.$queryRaw<
    {
      createdById: string;
      status: RunStatus;
      visibility: RunVisibility;
      workspaceRole: WorkspaceRole | null;
      poolId: string | null;
      hasBet: boolean;
      hasPrompted: boolean;
      poolLocked: boolean;
    }[]
  >`
    SELECT s."createdById", s.status, s.visibility, m.role AS "workspaceRole", p.id AS "poolId",
           EXISTS (SELECT 1 FROM bets b WHERE b."poolId" = p.id AND b."userId" = ${userId}) AS "hasBet",
           coalesce(${userId} = ANY (p."steeredBy"), false) AS "hasPrompted",
           coalesce(p.status <> 'open' OR p."locksAt" <= (now() AT TIME ZONE 'UTC'), false) AS "poolLocked"
      FROM runs s
      LEFT JOIN pools p ON p."runId" = s.id
      LEFT JOIN workspace_members m ON m."workspaceId" = s."workspaceId" AND m."userId" = ${userId} AND m.role <> 'client'
     WHERE s.id = ${input.runId}`;
  const row = rows[0];
  if (!row || !mayView(input.viewer, row, row.workspaceRole !== null)) throw runNotFound();
  const { visibility, ...standing } = row;
  return standing;
}

/** The visibility rule's viewer for a run-rules actor. */
export const actorViewer = (actor: RunActor): Viewer => ({ id: actor.userId, role: actor.role });
