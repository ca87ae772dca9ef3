// The betting market's public API: what routers, jobs and the sandbox domain call.
export { createPoolForRun, lockPool, lockPoolForProgress, poolUpdateMessage, type LockResult } from "./pools";
export { placeBet, type PlaceBetInput, type PlacedBet } from "./place-bet";
export { settlePool, type SettleResult } from "./settle-pool";
export { getOdds, quote, poolWithRecentBets, type PoolOddsView } from "./odds-view";
export { myBets } from "./my-bets";
export { leaderboard } from "./leaderboard";
export * from "./rules";
// Post-commit hooks for the run lifecycle (they enqueue jobs and publish live updates, so they
// live in the job layer; re-exported here so the sandbox domain has one betting import).
export { afterRunTerminal, scheduleTimeLock } from "../../jobs/betting/run-hooks";
export { publishPoolUpdate } from "../../jobs/betting/notify";
