// A bettor's own bets: open and settled, each with its profit or loss, plus totals over all of
// them (open exposure, realized P/L), newest first with cursor pagination. `runId` narrows
// the list to one run. The list holds bets on runs the user may still see (one removed from a
// workspace no longer sees its private runs' goals); the totals always cover every bet of the
// user, because they are the user's own money.
import type { DbClient } from "../../lib/db";
import type { BetSide, PoolStatus } from "../../generated/prisma/enums";
import { visibleRunsWhere, type Viewer } from "../workspaces/visibility";
import { betSelect } from "./pools";

export type BetState = "open" | "won" | "lost" | "refunded";

export interface MyBet {
  id: string;
  runId: string;
  goal: string;
  side: BetSide;
  amount: number;
  oddsAtPlacement: number;
  createdAt: Date;
  poolStatus: PoolStatus;
  outcome: BetSide | null;
  state: BetState;
  payout: number | null;
  settledAt: Date | null;
  /** payout − amount once settled; null while open. */
  profit: number | null;
}

export interface MyBetTotals {
  openCount: number;
  settledCount: number;
  /** Stakes still riding on open or locked pools. */
  openExposure: number;
  /** Sum of (payout − amount) over settled bets. */
  realizedPnl: number;
  wagered: number;
}

export async function myBets(
  client: DbClient,
  viewer: Viewer,
  opts: { cursor?: string; limit: number; filter?: "all" | "open" | "settled"; runId?: string },
): Promise<{ items: MyBet[]; nextCursor: string | null; totals: MyBetTotals }> {
  const settledFilter = opts.filter === "open" ? { payout: null } : opts.filter === "settled" ? { payout: { not: null } } : {};
  const rows = await client.bet.findMany({
    where: {
      userId: viewer.id,
      ...settledFilter,
      pool: { ...(opts.runId ? { runId: opts.runId } : {}), run: visibleRunsWhere(viewer) },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    select: {
      ...betSelect,
      settledAt: true,
      pool: { select: { runId: true, status: true, outcome: true, run: { select: { goal: true } } } },
    },
  });
  const items = rows.slice(0, opts.limit).map(({ pool, payout, ...bet }): MyBet => {
    const paid = payout === null ? null : Number(payout);
    const state: BetState = paid === null ? "open" : pool.status === "refunded" ? "refunded" : bet.side === pool.outcome ? "won" : "lost";
    return {
      ...bet,
      runId: pool.runId,
      goal: pool.run.goal,
      poolStatus: pool.status,
      outcome: pool.outcome,
      state,
      payout: paid,
      profit: paid === null ? null : paid - bet.amount,
    };
  });
  const [t] = await client.$queryRaw<
    { openCount: number; settledCount: number; openExposure: bigint; realizedPnl: bigint; wagered: bigint }[]
  >`
    SELECT count(*) FILTER (WHERE payout IS NULL)::int AS "openCount",
           count(*) FILTER (WHERE payout IS NOT NULL)::int AS "settledCount",
           coalesce(sum(amount) FILTER (WHERE payout IS NULL), 0)::bigint AS "openExposure",
           coalesce(sum(payout - amount) FILTER (WHERE payout IS NOT NULL), 0)::bigint AS "realizedPnl",
           coalesce(sum(amount), 0)::bigint AS wagered
      FROM bets WHERE "userId" = ${viewer.id}`;
  return {
    items,
    nextCursor: rows.length > opts.limit ? items[items.length - 1]!.id : null,
    totals: {
      openCount: t!.openCount,
      settledCount: t!.settledCount,
      openExposure: Number(t!.openExposure),
      realizedPnl: Number(t!.realizedPnl),
      wagered: Number(t!.wagered),
    },
  };
}
