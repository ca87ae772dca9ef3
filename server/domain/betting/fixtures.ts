// Test and benchmark fixtures for betting: runs with pools, users and bets created set-based in
// SQL (thousands per statement) while keeping the ledger balanced, so checkLedger stays clean.
// Not used by the application.
import type { Db } from "../../lib/db";
import type { BetSide, RunVisibility, RunStatus } from "../../generated/prisma/enums";
import { cuidLike, MINT_SIGNUP } from "../ledger";
import { createPoolForRun } from "./pools";
import { createPersonalWorkspace, personalWorkspaceId } from "../workspaces/personal";

export interface FixtureRun {
  runId: string;
  poolId: string;
  escrowId: string;
}

export async function makeRun(
  db: Db,
  opts: {
    createdById: string;
    status?: RunStatus;
    targetValue?: number;
    currentProgress?: number;
    locksAt?: Date | null;
    model?: string;
    /** Default: the creator's personal workspace (made here for users seedUsers created). */
    workspaceId?: string;
    visibility?: RunVisibility;
  },
): Promise<FixtureRun> {
  const model = opts.model ?? "test-model";
  return db.$transaction(async (tx) => {
    const agent = await tx.agent.upsert({
      where: { slug: `fixture-${model}` },
      create: { slug: `fixture-${model}`, name: `Fixture ${model}`, model },
      update: {},
      select: { id: true },
    });
    const workspaceId =
      opts.workspaceId ?? (await personalWorkspaceId(tx, opts.createdById)) ?? (await createPersonalWorkspace(tx, opts.createdById)).id;
    const run = await tx.run.create({
      data: {
        goal: "fixture goal",
        metric: "points",
        targetValue: opts.targetValue ?? 100,
        currentProgress: opts.currentProgress ?? 0,
        agentId: agent.id,
        status: opts.status ?? "running",
        durationMinutes: 10,
        idleTimeoutMinutes: 15,
        createdById: opts.createdById,
        workspaceId,
        visibility: opts.visibility ?? "public",
        startedAt: new Date(),
      },
      select: { id: true },
    });
    const pool = await createPoolForRun(tx, { runId: run.id, locksAt: opts.locksAt ?? null });
    const row = await tx.pool.findUniqueOrThrow({ where: { id: pool.id }, select: { ledgerAccountId: true } });
    return { runId: run.id, poolId: pool.id, escrowId: row.ledgerAccountId };
  });
}

/** Creates `count` users with ledger accounts and a signup grant each, in three statements. */
export async function seedUsers(db: Db, count: number, grantCents: number): Promise<string[]> {
  const tag = cuidLike();
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH u AS (
      INSERT INTO users (id, email, name, "updatedAt")
      SELECT ${tag} || '_' || g, ${tag} || '_' || g || '@bench.test', 'Bettor ' || g, now()
        FROM generate_series(1, ${count}::int) g
      RETURNING id
    ), a AS (
      INSERT INTO ledger_accounts (id, key, kind, "userId", balance)
      SELECT 'acct_' || u.id, 'user:' || u.id, 'user', u.id, ${grantCents}::bigint FROM u
    ), t AS (
      INSERT INTO ledger_transfers (id, kind, "idempotencyKey", memo)
      SELECT 'grant_' || u.id, 'signup_grant', 'signup:' || u.id, 'fixture grant' FROM u
    ), e AS (
      INSERT INTO ledger_entries ("transferId", "accountId", amount)
      SELECT 'grant_' || u.id, 'acct_' || u.id, ${grantCents}::bigint FROM u
      UNION ALL
      SELECT 'grant_' || u.id, (SELECT id FROM ledger_accounts WHERE key = ${MINT_SIGNUP}), -${grantCents}::bigint FROM u
    )
    SELECT id FROM u`;
  await db.$executeRaw`
    UPDATE ledger_accounts SET balance = balance - ${BigInt(grantCents) * BigInt(count)} WHERE key = ${MINT_SIGNUP}`;
  return rows.map((r) => r.id);
}

export interface SeedBet {
  id?: string;
  userId: string;
  side: BetSide;
  amount: number;
  createdAt?: Date;
}

/**
 * Inserts bets as if each had been placed: one stake transfer per user (user → escrow), pool
 * totals bumped. Bettors must be able to afford their stakes.
 */
export async function seedBets(db: Db, pool: FixtureRun, bets: readonly SeedBet[]): Promise<string[]> {
  if (bets.length === 0) return [];
  const now = new Date();
  const ids = bets.map((b) => b.id ?? cuidLike());
  const batch = cuidLike();
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
        WITH ins AS (
          INSERT INTO bets (id, "poolId", "userId", side, amount, "oddsAtPlacement", "createdAt")
          SELECT x.id, ${pool.poolId}, x."userId", x.side::"BetSide", x.amount, 1, x."createdAt"
            FROM unnest(${ids}::text[], ${bets.map((b) => b.userId)}::text[], ${bets.map((b) => b.side)}::text[],
                        ${bets.map((b) => b.amount)}::int[], ${bets.map((b) => (b.createdAt ?? now).toISOString())}::timestamp(3)[])
                 AS x(id, "userId", side, amount, "createdAt")
          RETURNING "userId", side, amount
        ), per_user AS (
          SELECT a.id AS "accountId", sum(ins.amount)::bigint AS stake
            FROM ins JOIN ledger_accounts a ON a."userId" = ins."userId" GROUP BY a.id
        ), t AS (
          INSERT INTO ledger_transfers (id, kind, memo) SELECT ${batch} || p."accountId", 'bet', 'fixture bets' FROM per_user p
        ), e AS (
          INSERT INTO ledger_entries ("transferId", "accountId", amount)
          SELECT ${batch} || p."accountId", p."accountId", -p.stake FROM per_user p
          UNION ALL
          SELECT ${batch} || p."accountId", ${pool.escrowId}, p.stake FROM per_user p
        ), debit AS (
          UPDATE ledger_accounts a SET balance = a.balance - p.stake FROM per_user p WHERE a.id = p."accountId"
        ), credit AS (
          UPDATE ledger_accounts SET balance = balance + (SELECT sum(amount) FROM ins) WHERE id = ${pool.escrowId}
        )
        UPDATE pools SET "yesTotal" = "yesTotal" + (SELECT coalesce(sum(amount), 0) FROM ins WHERE side = 'yes'),
                         "noTotal" = "noTotal" + (SELECT coalesce(sum(amount), 0) FROM ins WHERE side = 'no'),
                         "betCount" = "betCount" + (SELECT count(*) FROM ins)
         WHERE id = ${pool.poolId}`;
    },
    { timeout: 120_000 },
  );
  return ids;
}

/** `count` random bets spread over `userIds`, with millisecond ties, for large-pool tests and benches. */
export function randomBets(userIds: readonly string[], count: number, opts: { yesShare?: number; maxAmount?: number } = {}): SeedBet[] {
  const start = Date.now() - count;
  return Array.from({ length: count }, (_, i) => ({
    userId: userIds[i % userIds.length]!,
    side: Math.random() < (opts.yesShare ?? 0.5) ? "yes" : "no",
    amount: 100 + Math.floor(Math.random() * (opts.maxAmount ?? 10_000)),
    createdAt: new Date(start + Math.floor(i / 3)),
  }));
}

/** Everything a refused bet must leave untouched: row counts, every balance, every pool. */
export async function moneySnapshot(db: Db) {
  const [counts] = await db.$queryRaw<{ bets: number; transfers: number; entries: number }[]>`
    SELECT (SELECT count(*)::int FROM bets) AS bets,
           (SELECT count(*)::int FROM ledger_transfers) AS transfers,
           (SELECT count(*)::int FROM ledger_entries) AS entries`;
  const balances = await db.ledgerAccount.findMany({ select: { key: true, balance: true }, orderBy: { key: "asc" } });
  const pools = await db.pool.findMany({
    select: { id: true, yesTotal: true, noTotal: true, betCount: true, status: true },
    orderBy: { id: "asc" },
  });
  return { counts, balances, pools };
}

export interface SettlementCredit {
  betId: string;
  accountId: string;
  amount: number;
}

export interface SettlementLedger {
  /** Ids of the transfers keyed `<kind>:<poolId>` (the idempotency key makes it at most one). */
  transfers: string[];
  /** Their entries without a bet: the escrow debits, as [accountId, amount]. */
  debits: [string, number][];
  /** Their per-bet credit entries, by bet id in byte order. */
  credits: SettlementCredit[];
}

/**
 * For tests: a settled pool's payout or refund transfer as the ledger stores it (`stored`), and
 * what its bets say it must be (`expected`): one transfer `<kind>_<poolId>`, one escrow debit of
 * the total paid, one credit per bet with a payout > 0 of exactly that payout to its bettor's
 * account — or nothing at all when nothing was paid.
 */
export async function settlementLedger(
  db: Db,
  poolId: string,
  kind: "payout" | "refund",
): Promise<{ stored: SettlementLedger; expected: SettlementLedger }> {
  const transfers = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM ledger_transfers WHERE "idempotencyKey" = ${`${kind}:${poolId}`} ORDER BY id`;
  const entries = await db.$queryRaw<{ betId: string | null; accountId: string; amount: bigint }[]>`
    SELECT e."betId", e."accountId", e.amount FROM ledger_entries e
     WHERE e."transferId" IN (SELECT id FROM ledger_transfers WHERE "idempotencyKey" = ${`${kind}:${poolId}`})
     ORDER BY e."betId" COLLATE "C" NULLS FIRST, e.id`;
  const paid = await db.$queryRaw<{ betId: string; accountId: string; amount: bigint; escrowId: string }[]>`
    SELECT b.id AS "betId", a.id AS "accountId", b.payout AS amount, p."ledgerAccountId" AS "escrowId"
      FROM bets b JOIN ledger_accounts a ON a."userId" = b."userId" JOIN pools p ON p.id = b."poolId"
     WHERE b."poolId" = ${poolId} AND b.payout > 0
     ORDER BY b.id COLLATE "C"`;
  const credit = (r: { betId: string; accountId: string; amount: bigint }) => ({
    betId: r.betId,
    accountId: r.accountId,
    amount: Number(r.amount),
  });
  const total = paid.reduce((sum, r) => sum + Number(r.amount), 0);
  return {
    stored: {
      transfers: transfers.map((t) => t.id),
      debits: entries.filter((e) => e.betId === null).map((e) => [e.accountId, Number(e.amount)]),
      credits: entries.flatMap((e) => (e.betId === null ? [] : [credit({ ...e, betId: e.betId })])),
    },
    expected: {
      transfers: paid.length ? [`${kind}_${poolId}`] : [],
      debits: paid.length ? [[paid[0]!.escrowId, -total]] : [],
      credits: paid.map(credit),
    },
  };
}
