// Read side of a pool: live odds (shared/odds.ts computeOdds), quotes (quoteBet) and the pool
// with its recent bets. Everything a bet panel shows before the user places a bet.
import type { DbClient, Prisma } from "../../lib/db";
import { config } from "../../config";
import type { BetSide, PoolStatus, RunStatus } from "../../generated/prisma/enums";
import { computeOdds, quoteBet, type BetQuote } from "@shared/odds";
import { isLiveRun } from "@shared/run-status";
import { assertBetAmount } from "./place-bet-sql";
import { betSelect } from "./pools";
import { runNotFound, visibleRunsWhere, type Viewer } from "../workspaces/visibility";

export interface PoolOddsView {
  poolId: string;
  runId: string;
  status: PoolStatus;
  runStatus: RunStatus;
  outcome: BetSide | null;
  yesTotal: number;
  noTotal: number;
  totalPool: number;
  betCount: number;
  /** Payout multipliers (total / side); null while a side is empty. */
  yesOdds: number | null;
  noOdds: number | null;
  /** Implied probabilities in percent (side / total × 100); null while the pool is empty. */
  yesPct: number | null;
  noPct: number | null;
  bettingOpen: boolean;
  locksAt: Date | null;
  lockReason: string | null;
  lockedAt: Date | null;
  settledAt: Date | null;
  rakeCents: number;
}

const poolSelect = {
  id: true,
  runId: true,
  status: true,
  outcome: true,
  yesTotal: true,
  noTotal: true,
  betCount: true,
  locksAt: true,
  lockReason: true,
  lockedAt: true,
  settledAt: true,
  rakeCents: true,
  run: { select: { status: true } },
} satisfies Prisma.PoolSelect;

/** The run's pool, if the viewer may see the run; otherwise not found, as for a run that does not exist. */
async function loadPool(client: DbClient, viewer: Viewer, runId: string) {
  const pool = await client.pool.findUnique({ where: { runId, run: visibleRunsWhere(viewer) }, select: poolSelect });
  if (!pool) throw runNotFound("runId");
  return pool;
}

function toView(pool: Awaited<ReturnType<typeof loadPool>>, now = new Date()): PoolOddsView {
  const yesTotal = Number(pool.yesTotal);
  const noTotal = Number(pool.noTotal);
  const odds = computeOdds({ yesTotal, noTotal });
  const pct = (p: number | null) => (p === null ? null : p * 100);
  return {
    poolId: pool.id,
    runId: pool.runId,
    status: pool.status,
    runStatus: pool.run.status,
    outcome: pool.outcome,
    yesTotal,
    noTotal,
    totalPool: odds.totalPool,
    betCount: pool.betCount,
    yesOdds: odds.yes.multiplier,
    noOdds: odds.no.multiplier,
    yesPct: pct(odds.yes.impliedProbability),
    noPct: pct(odds.no.impliedProbability),
    // The same three conditions placeBet checks under the pool's row lock.
    bettingOpen: pool.status === "open" && isLiveRun(pool.run.status) && (!pool.locksAt || pool.locksAt > now),
    locksAt: pool.locksAt,
    lockReason: pool.lockReason,
    lockedAt: pool.lockedAt,
    settledAt: pool.settledAt,
    rakeCents: Number(pool.rakeCents),
  };
}

export async function getOdds(client: DbClient, viewer: Viewer, runId: string): Promise<PoolOddsView> {
  return toView(await loadPool(client, viewer, runId));
}

/** What a bet would get if placed now: quoteBet on the current pool, with the configured rake. */
export async function quote(client: DbClient, viewer: Viewer, input: { runId: string; side: BetSide; amount: number }): Promise<BetQuote> {
  const pool = await loadPool(client, viewer, input.runId);
  assertBetAmount(input.amount);
  return quoteBet({ yesTotal: Number(pool.yesTotal), noTotal: Number(pool.noTotal) }, input.side, input.amount, {
    rakeBps: config.HOUSE_RAKE_BPS,
  });
}

export async function poolWithRecentBets(client: DbClient, viewer: Viewer, input: { runId: string; limit: number }) {
  const pool = await loadPool(client, viewer, input.runId);
  const bets = await client.bet.findMany({
    where: { poolId: pool.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    select: {
      ...betSelect,
      user: { select: { id: true, name: true } },
    },
  });
  return {
    ...toView(pool),
    recentBets: bets.map((b) => ({ ...b, payout: b.payout === null ? null : Number(b.payout) })),
  };
}
