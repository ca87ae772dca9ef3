// placeBet: one SQL statement moves the stake from the user to the pool's escrow, bumps the
// pool totals and records the bet — or writes nothing and says why.
//
// Why one statement: every bet on a hot pool queues on that pool's row lock, so throughput is
// 1 / (time the lock is held). A single autocommit statement holds it for one execution plus the
// commit, with one round trip; an interactive transaction would hold it across 3+ round trips.
// It runs as a named prepared statement on the plain pg pool (server/lib/pg.ts): parsed and
// planned once per connection, where Prisma's $queryRaw would re-plan it on every call.
//
// Why it is safe under any concurrency (READ COMMITTED):
//   1. `pool` write-locks the pool row; after a wait, Postgres re-reads the newest version, so
//      the status/lock time it sees are current. Locking the pool row first, and the user's
//      account second, is the order every betting path uses (no deadlocks). FOR NO KEY UPDATE is
//      what the UPDATEs below take anyway, and unlike FOR UPDATE it does not wait for other
//      transactions' foreign-key checks (a settlement's ledger entries pointing at the account).
//   2. `account` locks the user's ledger account, so the balance it reads cannot change before
//      the debit.
//   3. `verdict` decides from those locked rows; every write below is conditional on it, so a
//      refusal writes nothing. The ledger's balance-floor CHECK is the backstop.
// This is the ledger's transfer (two entries, cached balances, same transaction) inlined for
// the hot path, as settlement's set-based transfers are (payout-sql.ts); every other movement of
// money goes through server/domain/ledger.ts.
import { formatCents } from "@shared/money";
import { AppError } from "../../lib/errors";
import { config } from "../../config";
import type { BetSide, PoolStatus, SandboxStatus } from "../../generated/prisma/enums";
import { cuidLike, userAccountKey } from "../ledger";
import { pgPool } from "../../lib/pg";
import { LIVE_RUN_STATUSES } from "./rules";
import { describeLock } from "./pools";

export interface PlaceBetInput {
  userId: string;
  sandboxId: string;
  side: BetSide;
  /** Integer cents, within MIN_BET_CENTS..MAX_BET_CENTS. */
  amount: number;
}

export interface PlacedBet {
  betId: string;
  poolId: string;
  sandboxId: string;
  userId: string;
  userName: string;
  side: BetSide;
  amount: number;
  /** Payout multiplier (total / side) right after this bet. */
  oddsAtPlacement: number;
  createdAt: Date;
  /** The bettor's balance after the stake left it. */
  balance: number;
  pool: { yesTotal: number; noTotal: number; betCount: number };
}

// Rows are timestamp(3) in UTC; clock_timestamp() rather than now() so a bet's createdAt is taken
// while the pool row lock is held (see lockPool), not when the statement started waiting for it.
const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;
const LIVE_STATUSES = `(${LIVE_RUN_STATUSES.map((s) => `'${s}'`).join(", ")})`;

type Refusal = "ok" | "pool_closed" | "run_not_live" | "time_locked" | "no_account" | "insufficient_funds";

interface Row {
  poolId: string;
  refusal: Refusal;
  status: PoolStatus;
  lockReason: string | null;
  runStatus: SandboxStatus;
  // int8 columns arrive as text (node-postgres keeps them exact); converted below.
  balanceBefore: string | null;
  yesTotal: string | null;
  noTotal: string | null;
  betCount: number | null;
  oddsAtPlacement: number | null;
  balanceAfter: string | null;
  createdAt: Date | null;
  userName: string | null;
}

export function assertBetAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < config.MIN_BET_CENTS || amount > config.MAX_BET_CENTS) {
    throw new AppError(
      "BAD_REQUEST",
      `amount must be between ${formatCents(config.MIN_BET_CENTS)} and ${formatCents(config.MAX_BET_CENTS)} in whole cents (got ${Number.isFinite(amount) ? formatCents(Math.trunc(amount)) : String(amount)})`,
      { field: "amount", details: { min: config.MIN_BET_CENTS, max: config.MAX_BET_CENTS } },
    );
  }
}

const PLACE_BET_SQL = `
  WITH pool AS (
    SELECT p.id, p."ledgerAccountId", p.status, p."locksAt", p."lockReason", s.status AS "runStatus"
      FROM pools p JOIN sandboxes s ON s.id = p."sandboxId"
     WHERE p."sandboxId" = $1::text
       FOR NO KEY UPDATE OF p
  ), account AS (
    SELECT a.id, a.balance FROM ledger_accounts a
     WHERE a.key = $2::text AND EXISTS (SELECT 1 FROM pool WHERE pool.status = 'open')
       FOR NO KEY UPDATE
  ), verdict AS (
    SELECT pool.*, account.id AS "accountId", account.balance,
           CASE WHEN pool.status <> 'open' THEN 'pool_closed'
                WHEN pool."runStatus" NOT IN ${LIVE_STATUSES} THEN 'run_not_live'
                WHEN pool."locksAt" <= ${NOW} THEN 'time_locked'
                WHEN account.id IS NULL THEN 'no_account'
                WHEN account.balance < $5::bigint THEN 'insufficient_funds'
                ELSE 'ok' END AS refusal
      FROM pool LEFT JOIN account ON true
  ), moved AS (
    UPDATE pools p
       SET "yesTotal" = p."yesTotal" + CASE WHEN $4::"BetSide" = 'yes' THEN $5::bigint ELSE 0 END,
           "noTotal" = p."noTotal" + CASE WHEN $4::"BetSide" = 'no' THEN $5::bigint ELSE 0 END,
           "betCount" = p."betCount" + 1
      FROM verdict v
     WHERE p.id = v.id AND v.refusal = 'ok'
    RETURNING p."yesTotal", p."noTotal", p."betCount"
  ), debit AS (
    UPDATE ledger_accounts a SET balance = a.balance - $5::bigint
      FROM verdict v WHERE a.id = v."accountId" AND v.refusal = 'ok'
    RETURNING a.balance
  ), credit AS (
    UPDATE ledger_accounts a SET balance = a.balance + $5::bigint
      FROM verdict v WHERE a.id = v."ledgerAccountId" AND v.refusal = 'ok'
  ), transfer AS (
    INSERT INTO ledger_transfers (id, kind, memo, "createdAt")
    SELECT $7::text, 'bet', $8::text, ${NOW} FROM verdict WHERE refusal = 'ok'
  ), entries AS (
    INSERT INTO ledger_entries ("transferId", "accountId", amount, "createdAt")
    SELECT $7::text, v."accountId", -$5::bigint, ${NOW} FROM verdict v WHERE v.refusal = 'ok'
    UNION ALL
    SELECT $7::text, v."ledgerAccountId", $5::bigint, ${NOW} FROM verdict v WHERE v.refusal = 'ok'
  ), bet AS (
    INSERT INTO bets (id, "poolId", "userId", side, amount, "oddsAtPlacement", "createdAt")
    SELECT $6::text, v.id, $3::text, $4::"BetSide", $5::int,
           (m."yesTotal" + m."noTotal")::float8 / (CASE WHEN $4::"BetSide" = 'yes' THEN m."yesTotal" ELSE m."noTotal" END),
           ${NOW}
      FROM verdict v, moved m
    RETURNING "oddsAtPlacement", "createdAt"
  )
  SELECT v.id AS "poolId", v.refusal, v.status, v."lockReason", v."runStatus", v.balance::text AS "balanceBefore",
         m."yesTotal"::text, m."noTotal"::text, m."betCount", b."oddsAtPlacement", d.balance::text AS "balanceAfter",
         b."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
         (SELECT u.name FROM users u WHERE u.id = $3::text) AS "userName"
    FROM verdict v LEFT JOIN moved m ON true LEFT JOIN debit d ON true LEFT JOIN bet b ON true`;

export async function placeBet(input: PlaceBetInput): Promise<PlacedBet> {
  const { userId, sandboxId, side, amount } = input;
  if (side !== "yes" && side !== "no") throw new AppError("BAD_REQUEST", `side must be "yes" or "no"`, { field: "side" });
  assertBetAmount(amount);
  const betId = cuidLike();
  const { rows } = await pgPool().query<Row>({
    name: "paddock_place_bet",
    text: PLACE_BET_SQL,
    values: [sandboxId, userAccountKey(userId), userId, side, amount, betId, cuidLike(), `bet ${side} on run ${sandboxId}`],
  });
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", `run ${sandboxId} has no betting pool; check the run id`, { field: "sandboxId" });
  if (row.refusal !== "ok") throw refusalError(row, amount);
  return {
    betId,
    poolId: row.poolId,
    sandboxId,
    userId,
    userName: row.userName ?? "",
    side,
    amount,
    oddsAtPlacement: row.oddsAtPlacement!,
    createdAt: row.createdAt!,
    balance: Number(row.balanceAfter),
    pool: { yesTotal: Number(row.yesTotal), noTotal: Number(row.noTotal), betCount: row.betCount! },
  };
}

function refusalError(row: Row, amount: number): AppError {
  switch (row.refusal) {
    case "pool_closed":
      return new AppError(
        "CONFLICT",
        `bets on this run are closed: the pool is ${row.status}${row.lockReason ? ` (${describeLock(row.lockReason)})` : ""}`,
        { field: "sandboxId", details: { poolStatus: row.status, lockReason: row.lockReason } },
      );
    case "run_not_live":
      return new AppError(
        "CONFLICT",
        `this run has ${row.runStatus === "canceled" ? "been canceled" : `finished (${row.runStatus})`}: bets are only taken while a run is ${LIVE_RUN_STATUSES.join(", ")}`,
        { field: "sandboxId", details: { runStatus: row.runStatus } },
      );
    case "time_locked":
      return new AppError("CONFLICT", `bets on this run are closed: ${describeLock("time")}`, {
        field: "sandboxId",
        details: { lockReason: "time" },
      });
    case "no_account":
      return new AppError("NOT_FOUND", "you have no balance account yet; sign in again or contact an admin");
    case "insufficient_funds":
      return new AppError(
        "INSUFFICIENT_FUNDS",
        `insufficient funds: amount ${amount} exceeds your balance of ${row.balanceBefore}; bet less or top up`,
        { field: "amount", details: { available: Number(row.balanceBefore ?? 0), requested: amount } },
      );
    default:
      return new AppError("INTERNAL", `unexpected bet refusal ${row.refusal}`);
  }
}
