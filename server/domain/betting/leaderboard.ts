// Leaderboards: bettors by realized profit, and models (Agent.model) by success rate over
// finished runs. Canceled runs are left out of a model's record: a person stopped them, so they
// say nothing about the model. Both count only runs the viewer may see (the visibility rule), so a
// team's private runs shape the boards of its members alone.
import type { DbClient } from "../../lib/db";
import { JUDGED_RUN_STATUSES } from "@shared/run-status";
import { statusList } from "../../lib/run-status-sql";
import { visibleRunsSql, type Viewer } from "../workspaces/visibility";

export interface BettorRow {
  userId: string;
  name: string;
  profit: number;
  wagered: number;
  bets: number;
  won: number;
  lost: number;
}

export interface ModelRow {
  model: string;
  runs: number;
  succeeded: number;
  /** succeeded / runs, 0..1. */
  successRate: number;
}

export async function leaderboard(
  client: DbClient,
  viewer: Viewer,
  opts: { limit: number },
): Promise<{ bettors: BettorRow[]; models: ModelRow[] }> {
  const bettors = await client.$queryRaw<(Omit<BettorRow, "profit" | "wagered"> & { profit: bigint; wagered: bigint })[]>`
    SELECT u.id AS "userId", u.name,
           sum(b.payout - b.amount)::bigint AS profit,
           sum(b.amount)::bigint AS wagered,
           count(*)::int AS bets,
           count(*) FILTER (WHERE p.status = 'settled' AND b.side = p.outcome)::int AS won,
           count(*) FILTER (WHERE p.status = 'settled' AND b.side <> p.outcome)::int AS lost
      FROM bets b JOIN pools p ON p.id = b."poolId" JOIN users u ON u.id = b."userId" JOIN runs s ON s.id = p."runId"
     WHERE b.payout IS NOT NULL AND ${visibleRunsSql(viewer, "s")}
     GROUP BY u.id
     ORDER BY profit DESC, wagered DESC, u.id
     LIMIT ${opts.limit}`;
  const models = await client.$queryRaw<ModelRow[]>`
    SELECT a.model,
           count(*)::int AS runs,
           count(*) FILTER (WHERE s.status = 'succeeded')::int AS succeeded,
           (count(*) FILTER (WHERE s.status = 'succeeded'))::float8 / count(*) AS "successRate"
      FROM runs s JOIN agents a ON a.id = s."agentId"
     WHERE s.status IN ${statusList(JUDGED_RUN_STATUSES)} AND ${visibleRunsSql(viewer, "s")}
     GROUP BY a.model
     ORDER BY "successRate" DESC, runs DESC, a.model
     LIMIT ${opts.limit}`;
  return {
    bettors: bettors.map((b) => ({ ...b, profit: Number(b.profit), wagered: Number(b.wagered) })),
    models,
  };
}
