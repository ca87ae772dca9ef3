// The betting market's public API: what commands, jobs and the runs domain call.
export {
  createPoolForRun,
  lockPool,
  lockPoolForProgress,
  poolUpdateMessage,
  poolsPastTimeLock,
  unsettledPoolsOfEndedRuns,
  type LockResult,
} from "./pools";
export { placeBet, type PlaceBetInput, type PlacedBet } from "./place-bet-sql";
export { settlePool, type SettleResult } from "./settle-pool";
export { getOdds, quote, poolWithRecentBets, type PoolOddsView } from "./odds-view";
export { myBets } from "./my-bets";
export { leaderboard } from "./leaderboard";
export * from "./rules";
