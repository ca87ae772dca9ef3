// placeBet: moves the stake from the user to the pool's escrow, bumps the pool totals and
// records the bet — or writes nothing and says why.
//
// Throughput on a hot pool. Every bet on a pool must hold that pool's row lock from its check
// to its commit, so one bet per transaction caps a pool at 1 / (statement + commit flush): a
// few hundred bets/s on an ordinary disk, whatever the hardware around it. So each API process
// groups the bets that arrive for a pool while its previous statement is in flight into ONE
// statement (a group commit): one row lock, one round trip and one WAL flush for the whole
// batch. An idle pool's bet goes out alone at once, so batching adds no latency; under load,
// a batch is whatever queued during the last commit (at most MAX_BATCH bets, at most one per
// user; server/lib/group-commit.ts). Correctness never depends on the batching — it is per process, in memory, and the
// statement is just as safe with bets from other processes racing it.
//
// Why the statement is safe under any concurrency (READ COMMITTED):
//   1. `pool` write-locks the pool row; after a wait, Postgres re-reads the newest version, so
//      the status, lock time and totals it sees are current. Locking the pool row first and
//      then the users' accounts, in key order, is the order every betting path uses (settlement
//      and ledger.transfer lock accounts in key order too), so batches cannot deadlock. FOR NO
//      KEY UPDATE is what the UPDATEs below take anyway, and unlike FOR UPDATE it does not wait
//      for other transactions' foreign-key checks (a settlement's ledger entries pointing at an
//      account).
//   2. `accounts` locks the bettors' ledger accounts, so the balances read cannot change before
//      the debits.
//   3. `verdict` decides each bet from those locked rows (who may bet is shared/run-rules.ts: not
//      the run's creator, and not a user in the pool's `steeredBy`, which submitPrompt appends to
//      under the same row lock, so a prompt and a bet by one user cannot both succeed; a second
//      bet of one user in the same statement is refused, so one balance is never checked twice);
//      every write below reads
//      only the accepted bets (`ok`), so a refusal writes nothing. The ledger's balance-floor
//      CHECK is the backstop.
//   4. Each accepted bet's odds and returned totals are the pool's totals right after it, in
//      arrival order, exactly as if the bets had been placed one by one.
// This is the ledger's transfer (two entries per bet, cached balances, same transaction)
// inlined for the hot path, as settlement's set-based transfers are (payout-sql.ts); every other
// movement of money goes through server/domain/ledger.ts.
import { formatCents } from "@shared/money";
import { BET_REFUSALS } from "@shared/run-rules";
import { AppError } from "../../lib/errors";
import { groupCommit, retryTransient, settleEach } from "../../lib/group-commit";
import { config } from "../../config";
import type { BetSide, PoolStatus, RunStatus } from "../../generated/prisma/enums";
import { cuidLike, userAccountKey } from "../ledger";
import type { PgClient } from "../../lib/pg";
import { statusListText } from "../../lib/run-status-sql";
import { describeLock, LIVE_RUN_STATUSES } from "@shared/run-status";
import { runNotFound, seesEveryRun, visibleRunSqlText } from "../workspaces/visibility";

export interface PlaceBetInput {
  userId: string;
  /**
   * The bettor's site role, for the visibility rule (server/domain/workspaces/visibility.ts).
   * Without it the bettor is a plain member: public runs and their own workspaces' runs.
   */
  role?: string;
  runId: string;
  side: BetSide;
  /** Integer cents, within MIN_BET_CENTS..MAX_BET_CENTS. */
  amount: number;
}

export interface PlacedBet {
  betId: string;
  poolId: string;
  runId: string;
  userId: string;
  userName: string;
  side: BetSide;
  amount: number;
  /** Payout multiplier (total / side) right after this bet. */
  oddsAtPlacement: number;
  createdAt: Date;
  /** The bettor's balance after the stake left it. */
  balance: number;
  /** The pool's totals right after this bet. */
  pool: { yesTotal: number; noTotal: number; betCount: number };
}

/** Most bets one statement carries; more wait for the next. */
const MAX_BATCH = 200;
/** A batch that deadlocks or hits a serialization failure is retried whole, this many times. */
const RETRIES = 3;

// Rows are timestamp(3) in UTC; clock_timestamp() rather than now() so a bet's createdAt is taken
// while the pool row lock is held (see lockPool), not when the statement started waiting for it.
const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;
const LIVE_STATUSES = statusListText(LIVE_RUN_STATUSES);

type Refusal =
  | "ok"
  | "not_visible"
  | "pool_closed"
  | "run_not_live"
  | "time_locked"
  | keyof typeof BET_REFUSALS
  | "no_account"
  | "same_user_in_batch"
  | "insufficient_funds";

interface Row {
  poolId: string | null;
  refusal: Refusal | null;
  status: PoolStatus;
  lockReason: string | null;
  runStatus: RunStatus;
  // int8 columns arrive as text (node-postgres keeps them exact); converted below.
  balanceBefore: string | null;
  yesTotal: string | null;
  noTotal: string | null;
  betCount: string | null;
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

// Whoever may not see the run is told it does not exist, before any other verdict.
const VISIBLE = visibleRunSqlText({
  visibility: "pool.visibility",
  workspaceId: `pool."workspaceId"`,
  userId: `i."userId"`,
  seesEveryRun: `i."seesEveryRun"`,
});

// $1 the run, then one array per column of the batch, in arrival order.
const PLACE_BETS_SQL = `
  WITH input AS (
    SELECT t.ord, t."betId", t."userId", t."accountKey", t.side::"BetSide" AS side, t.amount, t."transferId", t."seesEveryRun"
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::boolean[])
           WITH ORDINALITY AS t("betId", "userId", "accountKey", side, amount, "transferId", "seesEveryRun", ord)
  ), pool AS (
    SELECT p.id, p."ledgerAccountId", p.status, p."locksAt", p."lockReason", p."yesTotal", p."noTotal", p."betCount",
           p."steeredBy", s.status AS "runStatus", s."createdById", s.visibility, s."workspaceId"
      FROM pools p JOIN runs s ON s.id = p."runId"
     WHERE p."runId" = $1::text
       FOR NO KEY UPDATE OF p
  ), accounts AS (
    SELECT a.id, a.key, a.balance FROM ledger_accounts a
     WHERE a.key = ANY ($4::text[]) AND EXISTS (SELECT 1 FROM pool WHERE pool.status = 'open')
     ORDER BY a.key
       FOR NO KEY UPDATE
  ), verdict AS (
    SELECT i.*, a.id AS "accountId", a.balance,
           CASE WHEN NOT ${VISIBLE} THEN 'not_visible'
                WHEN pool.status <> 'open' THEN 'pool_closed'
                WHEN pool."runStatus" NOT IN ${LIVE_STATUSES} THEN 'run_not_live'
                WHEN pool."locksAt" <= ${NOW} THEN 'time_locked'
                WHEN i."userId" = pool."createdById" THEN 'own_run'
                WHEN i."userId" = ANY (pool."steeredBy") THEN 'steered_run'
                WHEN a.id IS NULL THEN 'no_account'
                WHEN row_number() OVER (PARTITION BY i."accountKey" ORDER BY i.ord) > 1 THEN 'same_user_in_batch'
                WHEN a.balance < i.amount THEN 'insufficient_funds'
                ELSE 'ok' END AS refusal
      FROM input i CROSS JOIN pool LEFT JOIN accounts a ON a.key = i."accountKey"
  ), ok AS MATERIALIZED (
    SELECT v.*, pool.id AS "poolId", pool."ledgerAccountId",
           pool."yesTotal" + sum(CASE WHEN v.side = 'yes' THEN v.amount ELSE 0 END) OVER w AS "yesAfter",
           pool."noTotal" + sum(CASE WHEN v.side = 'no' THEN v.amount ELSE 0 END) OVER w AS "noAfter",
           pool."betCount" + count(*) OVER w AS "countAfter"
      FROM verdict v CROSS JOIN pool
     WHERE v.refusal = 'ok'
    WINDOW w AS (ORDER BY v.ord)
  ), totals AS (
    SELECT sum(amount) FILTER (WHERE side = 'yes') AS yes, sum(amount) FILTER (WHERE side = 'no') AS no,
           sum(amount) AS stake, count(*) AS n
      FROM ok HAVING count(*) > 0
  ), moved AS (
    UPDATE pools p
       SET "yesTotal" = p."yesTotal" + coalesce(t.yes, 0), "noTotal" = p."noTotal" + coalesce(t.no, 0),
           "betCount" = p."betCount" + t.n
      FROM totals t, pool WHERE p.id = pool.id
  ), debit AS (
    UPDATE ledger_accounts a SET balance = a.balance - ok.amount
      FROM ok WHERE a.id = ok."accountId"
    RETURNING a.id, a.balance
  ), credit AS (
    UPDATE ledger_accounts a SET balance = a.balance + t.stake
      FROM totals t, pool WHERE a.id = pool."ledgerAccountId"
  ), transfer AS (
    INSERT INTO ledger_transfers (id, kind, memo, "createdAt")
    SELECT ok."transferId", 'bet', 'bet ' || ok.side || ' on run ' || $1::text, ${NOW} FROM ok
  ), entries AS (
    INSERT INTO ledger_entries ("transferId", "accountId", amount, "createdAt")
    SELECT ok."transferId", ok."accountId", -ok.amount::bigint, ${NOW} FROM ok
    UNION ALL
    SELECT ok."transferId", ok."ledgerAccountId", ok.amount::bigint, ${NOW} FROM ok
  ), bet AS (
    INSERT INTO bets (id, "poolId", "userId", side, amount, "oddsAtPlacement", "createdAt")
    SELECT ok."betId", ok."poolId", ok."userId", ok.side, ok.amount,
           (ok."yesAfter" + ok."noAfter")::float8 / (CASE WHEN ok.side = 'yes' THEN ok."yesAfter" ELSE ok."noAfter" END),
           ${NOW}
      FROM ok
    RETURNING id, "oddsAtPlacement", "createdAt"
  )
  SELECT pool.id AS "poolId", v.refusal, pool.status, pool."lockReason", pool."runStatus", v.balance::text AS "balanceBefore",
         ok."yesAfter"::text AS "yesTotal", ok."noAfter"::text AS "noTotal", ok."countAfter"::text AS "betCount",
         b."oddsAtPlacement", d.balance::text AS "balanceAfter", b."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
         u.name AS "userName"
    FROM input i
    LEFT JOIN pool ON true
    LEFT JOIN verdict v ON v.ord = i.ord
    LEFT JOIN ok ON ok.ord = i.ord
    LEFT JOIN debit d ON d.id = ok."accountId"
    LEFT JOIN bet b ON b.id = i."betId"
    LEFT JOIN users u ON u.id = i."userId"
   ORDER BY i.ord`;

interface Pending {
  input: PlaceBetInput;
  client: PgClient;
  betId: string;
  resolve(bet: PlacedBet): void;
  reject(err: unknown): void;
}

/** How many statements and bets this process has sent (benchmarks print bets per statement). */
export const betBatchStats = { statements: 0, bets: 0 };

/** Places one bet, in a statement with the other bets on its pool that are waiting (on the `pg` pool given). */
export async function placeBet(client: PgClient, input: PlaceBetInput): Promise<PlacedBet> {
  const { side, amount } = input;
  if (side !== "yes" && side !== "no") throw new AppError("BAD_REQUEST", `side must be "yes" or "no"`, { field: "side" });
  assertBetAmount(amount);
  return new Promise<PlacedBet>((resolve, reject) => {
    submitBet(input.runId, { input, client, betId: cuidLike(), resolve, reject });
  });
}

/** Bets wait per run, in arrival order; a batch holds at most one bet per user (the next waits). */
const submitBet = groupCommit<Pending>({
  maxBatch: MAX_BATCH,
  distinctBy: (p) => p.input.userId,
  run: (runId, batch) => settleBatch(batch[0]!.client, runId, batch),
});

/** Runs one batch and answers each of its bets (one bet's failure does not fail the others); never throws. */
async function settleBatch(client: PgClient, runId: string, batch: Pending[]): Promise<void> {
  await settleEach(batch, async (bets) => {
    const rows = await runBatch(client, runId, bets);
    bets.forEach((p, i) => {
      const row = rows[i]!;
      if (row.refusal === "ok") p.resolve(placedBet(p, row));
      else p.reject(refusalError(row, p.input));
    });
  });
}

async function runBatch(client: PgClient, runId: string, batch: Pending[]): Promise<Row[]> {
  const values = [
    runId,
    batch.map((p) => p.betId),
    batch.map((p) => p.input.userId),
    batch.map((p) => userAccountKey(p.input.userId)),
    batch.map((p) => p.input.side),
    batch.map((p) => p.input.amount),
    batch.map(() => cuidLike()),
    batch.map((p) => seesEveryRun({ id: p.input.userId, role: p.input.role ?? "member" })),
  ];
  // The statement is one transaction: a deadlock or serialization failure wrote nothing.
  const { rows } = await retryTransient(RETRIES, () => client.query<Row>({ name: "paddock_place_bets", text: PLACE_BETS_SQL, values }));
  betBatchStats.statements += 1;
  betBatchStats.bets += batch.length;
  return rows;
}

function placedBet(p: Pending, row: Row): PlacedBet {
  const { userId, runId, side, amount } = p.input;
  return {
    betId: p.betId,
    poolId: row.poolId!,
    runId,
    userId,
    userName: row.userName ?? "",
    side,
    amount,
    oddsAtPlacement: row.oddsAtPlacement!,
    createdAt: row.createdAt!,
    balance: Number(row.balanceAfter),
    pool: { yesTotal: Number(row.yesTotal), noTotal: Number(row.noTotal), betCount: Number(row.betCount) },
  };
}

function refusalError(row: Row, input: PlaceBetInput): AppError {
  if (!row.poolId || row.refusal === "not_visible") return runNotFound("runId");
  switch (row.refusal) {
    case "pool_closed":
      return new AppError(
        "CONFLICT",
        `bets on this run are closed: the pool is ${row.status}${row.lockReason ? ` (${describeLock(row.lockReason)})` : ""}`,
        { field: "runId", details: { poolStatus: row.status, lockReason: row.lockReason } },
      );
    case "run_not_live":
      return new AppError(
        "CONFLICT",
        `this run has ${row.runStatus === "canceled" ? "been canceled" : `finished (${row.runStatus})`}: bets are only taken while a run is ${LIVE_RUN_STATUSES.join(", ")}`,
        { field: "runId", details: { runStatus: row.runStatus } },
      );
    case "time_locked":
      return new AppError("CONFLICT", `bets on this run are closed: ${describeLock("time")}`, {
        field: "runId",
        details: { lockReason: "time" },
      });
    case "own_run":
    case "steered_run":
      return new AppError("FORBIDDEN", BET_REFUSALS[row.refusal], { field: "runId", details: { reason: row.refusal } });
    case "no_account":
      return new AppError("NOT_FOUND", "you have no balance account yet; sign in again or contact an admin");
    case "insufficient_funds":
      return new AppError(
        "INSUFFICIENT_FUNDS",
        `insufficient funds: amount ${input.amount} exceeds your balance of ${row.balanceBefore}; bet less or top up`,
        { field: "amount", details: { available: Number(row.balanceBefore ?? 0), requested: input.amount } },
      );
    default:
      return new AppError("INTERNAL", `unexpected bet refusal ${row.refusal}`);
  }
}
