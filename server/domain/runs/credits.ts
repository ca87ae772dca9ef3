// Credits: a run's budget lives in its own ledger account (`run:<id>`). Users fund it at launch
// and by injection; the agent spends from it; what is left returns to the funders at the end.
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import { HOUSE_CREDITS_SPENT, runAccountKey, transfer, userAccountKey } from "../ledger";
import { largestRemainderSplit } from "@shared/allocate";
import { isStartedRun, LIVE_RUN_STATUSES, STARTED_RUN_STATUSES } from "@shared/run-status";
import { statusList } from "../../lib/run-status-sql";
import { creditRefusal, type RunActor } from "@shared/run-rules";
import { actorViewer, readRunStanding, type RunStandingRow } from "./standing";

/**
 * With `upToRemaining`, a cost already incurred (tokens an LLM has used) is charged as far as the
 * budget goes instead of being refused, so the last call of a run still drains what is left.
 */
export async function spendCredits(client: DbClient, input: { runId: string; amount: number; reason: string; upToRemaining?: boolean }) {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw new AppError("BAD_REQUEST", "amount must be a positive whole number of credits (cents)", { field: "amount" });
  }
  return inTransaction(client, async (tx) => {
    if (input.upToRemaining) {
      const [left] = await tx.$queryRaw<{ remaining: number }[]>`
        SELECT "creditBudget" - "creditsSpent" AS remaining FROM runs WHERE id = ${input.runId} FOR UPDATE`;
      if (left && left.remaining > 0) input = { ...input, amount: Math.min(input.amount, left.remaining) };
    }
    const rows = await tx.$queryRaw<{ creditsSpent: number; creditBudget: number }[]>`
      UPDATE runs
         SET "creditsSpent" = "creditsSpent" + ${input.amount}, "costCents" = "costCents" + ${input.amount},
             "lastActivityAt" = now()
       WHERE id = ${input.runId} AND status IN ${statusList(STARTED_RUN_STATUSES)}
         AND "creditsSpent" + ${input.amount} <= "creditBudget"
      RETURNING "creditsSpent", "creditBudget"`;
    const row = rows[0];
    if (!row) {
      const run = await tx.run.findUnique({
        where: { id: input.runId },
        select: { status: true, creditsSpent: true, creditBudget: true },
      });
      if (!run) throw new AppError("NOT_FOUND", "no run with that id");
      if (!isStartedRun(run.status)) {
        throw new AppError("CONFLICT", `the run is ${run.status}; it cannot spend credits`);
      }
      throw new AppError(
        "INSUFFICIENT_FUNDS",
        `amount ${input.amount} exceeds the remaining budget of ${run.creditBudget - run.creditsSpent}`,
        { field: "amount", details: { remaining: run.creditBudget - run.creditsSpent } },
      );
    }
    await transfer(tx, {
      from: runAccountKey(input.runId),
      to: HOUSE_CREDITS_SPENT,
      amount: input.amount,
      kind: "credit_spend",
      memo: input.reason.slice(0, 200),
    });
    return { creditsSpent: row.creditsSpent, creditsRemaining: row.creditBudget - row.creditsSpent };
  });
}

/**
 * A user adds credits to a run's budget from their balance. Adding credits steers the run: the
 * visibility rule, then shared/run-rules.ts (the workspace's members and operators, never a bettor),
 * and the funder is recorded among the pool's steerers, so they may not bet on it afterwards.
 */
export async function injectCredits(client: DbClient, input: RunActor & { runId: string; amount: number }) {
  return inTransaction(client, async (tx) => {
    const viewer = actorViewer(input);
    assertMayFund(input, await readRunStanding(tx, { runId: input.runId, viewer }));
    // The run's row first, then its pool (recordProgress's order), then the ledger accounts (placeBet's).
    const rows = await tx.$queryRaw<{ creditBudget: number }[]>`
      UPDATE runs SET "creditBudget" = "creditBudget" + ${input.amount}
       WHERE id = ${input.runId} AND status IN ${statusList(LIVE_RUN_STATUSES)}
      RETURNING "creditBudget"`;
    if (!rows[0]) {
      const run = await tx.run.findUniqueOrThrow({ where: { id: input.runId }, select: { status: true } });
      throw new AppError("CONFLICT", `the run is ${run.status}; credits can only be added to a live run`, { field: "id" });
    }
    // Under the pool's row lock, like submitPrompt: a bet by this user either committed before (and
    // is seen here) or waits and then sees the user in steeredBy.
    const standing = await readRunStanding(tx, { runId: input.runId, viewer, lockPool: true });
    assertMayFund(input, standing);
    if (standing.poolId && !standing.hasPrompted) {
      await tx.$executeRaw`UPDATE pools SET "steeredBy" = array_append("steeredBy", ${input.userId}) WHERE id = ${standing.poolId}`;
    }
    const moved = await transfer(tx, {
      from: userAccountKey(input.userId),
      to: runAccountKey(input.runId),
      amount: input.amount,
      kind: "credit_injection",
      amountField: "amount",
      memo: `credits for run ${input.runId}`,
    });
    return { creditBudget: rows[0].creditBudget, balance: moved.fromBalance ?? 0 };
  });
}

function assertMayFund(actor: RunActor, standing: RunStandingRow): void {
  const refusal = creditRefusal(actor, standing);
  if (refusal) throw new AppError("FORBIDDEN", refusal, { field: "id" });
}

/**
 * Returns what is left in the run's account to the users who funded it, pro rata to what each
 * put in (largest remainder, exact). Idempotent per run and funder.
 */
export async function returnUnspentCredits(tx: Prisma.TransactionClient, runId: string) {
  const account = await tx.ledgerAccount.findUnique({ where: { key: runAccountKey(runId) }, select: { id: true, balance: true } });
  if (!account || account.balance <= 0n) return [];
  const funders = await tx.$queryRaw<{ key: string; userId: string; funded: bigint }[]>`
    SELECT src.key, src."userId", sum(-e.amount)::bigint AS funded
      FROM ledger_entries mine
      JOIN ledger_transfers t ON t.id = mine."transferId" AND t.kind IN ('credit_budget', 'credit_injection')
      JOIN ledger_entries e ON e."transferId" = t.id AND e.id <> mine.id
      JOIN ledger_accounts src ON src.id = e."accountId" AND src.kind = 'user'
     WHERE mine."accountId" = ${account.id}
     GROUP BY src.key, src."userId"
     ORDER BY min(e.id)`;
  const shares = largestRemainderSplit(
    account.balance,
    funders.map((f) => f.funded),
  );
  const returned: { userId: string; amount: number }[] = [];
  for (const [i, f] of funders.entries()) {
    const amount = Number(shares[i]!);
    if (amount <= 0) continue;
    await transfer(tx, {
      from: runAccountKey(runId),
      to: f.key,
      amount,
      kind: "credit_return",
      idempotencyKey: `credit_return:${runId}:${f.userId}`,
      memo: `unspent credits of run ${runId}`,
    });
    returned.push({ userId: f.userId, amount });
  }
  return returned;
}
