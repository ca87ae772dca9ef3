// The double-entry ledger: the only code that moves money.
//
// Every movement is one transfer whose entries sum to zero, and updates the cached balances in
// the same transaction. transfer() writes two entries (-amount from the source, +amount to the
// destination); a pool's settlement is one multi-leg transfer (betting/payout-sql.ts). The
// balance floor is enforced by the UPDATE statement itself (and by a CHECK constraint as a backstop), so
// concurrent transfers cannot race past it. Accounts are locked in key order to avoid deadlocks.
import { AppError } from "../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../lib/db";
import type { TransferKind } from "../generated/prisma/enums";

export const MINT_SIGNUP = "mint:signup";
export const MINT_STRIPE = "mint:stripe";
export const HOUSE_RAKE = "house:rake";
export const HOUSE_CREDITS_SPENT = "house:credits-spent";

export const userAccountKey = (userId: string) => `user:${userId}`;
export const runAccountKey = (runId: string) => `run:${runId}`;
export const poolAccountKey = (poolId: string) => `pool:${poolId}`;

export interface TransferInput {
  /** Ledger account key the money leaves, e.g. `user:<id>`. */
  from: string;
  /** Ledger account key the money goes to. */
  to: string;
  /** Positive integer cents. */
  amount: number;
  kind: TransferKind;
  /** Makes repeats harmless: a second transfer with the same key moves nothing. */
  idempotencyKey?: string;
  memo?: string;
  /** The field named in the error when the source cannot afford the amount. */
  amountField?: string;
  /**
   * The source may go below zero, and its account is then flagged overdrawn until its balance is
   * back at zero (a trigger clears the flag). Only Stripe refunds and disputes taking back credits
   * already spent do this (domain/billing/topups.ts).
   */
  overdraft?: boolean;
}

export interface TransferResult {
  transferId: string;
  /** True when a transfer with the same idempotency key already existed; nothing moved. */
  duplicate: boolean;
  fromBalance: number | null;
  toBalance: number | null;
}

function assertAmount(amount: number, field: string) {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new AppError("BAD_REQUEST", `${field} must be a positive whole number of cents`, { field });
  }
}

export async function transfer(client: DbClient, input: TransferInput): Promise<TransferResult> {
  const field = input.amountField ?? "amount";
  assertAmount(input.amount, field);
  if (input.from === input.to) {
    throw new AppError("BAD_REQUEST", "a transfer needs two different accounts", { field: "to" });
  }
  return inTransaction(client, async (tx) => {
    const transferId = await insertTransfer(tx, input);
    if (!transferId) {
      const existing = await tx.ledgerTransfer.findUniqueOrThrow({
        where: { idempotencyKey: input.idempotencyKey! },
        select: { id: true },
      });
      return { transferId: existing.id, duplicate: true, fromBalance: null, toBalance: null };
    }
    const amount = BigInt(input.amount);
    const ordered = [input.from, input.to].sort();
    const balances = new Map<string, { id: string; balance: bigint }>();
    for (const key of ordered) {
      const delta = key === input.from ? -amount : amount;
      const overdraw = input.overdraft === true && key === input.from;
      const rows = await tx.$queryRaw<{ id: string; balance: bigint }[]>`
        UPDATE ledger_accounts
           SET balance = balance + ${delta}::bigint,
               "overdrawnAt" = CASE WHEN ${overdraw}::boolean AND NOT "allowNegative" AND balance + ${delta}::bigint < 0
                                    THEN coalesce("overdrawnAt", now()) ELSE "overdrawnAt" END
         WHERE key = ${key}
           AND (${delta}::bigint >= 0 OR "allowNegative" OR ${overdraw}::boolean OR balance + ${delta}::bigint >= 0)
        RETURNING id, balance`;
      const row = rows[0];
      if (!row) {
        const exists = await tx.ledgerAccount.findUnique({ where: { key }, select: { balance: true } });
        if (!exists) throw new AppError("NOT_FOUND", `ledger account ${key} does not exist`);
        throw new AppError(
          "INSUFFICIENT_FUNDS",
          `insufficient funds: ${field} ${input.amount} exceeds the available balance of ${exists.balance}`,
          { field, details: { available: Number(exists.balance), requested: input.amount } },
        );
      }
      balances.set(key, row);
    }
    const from = balances.get(input.from)!;
    const to = balances.get(input.to)!;
    await tx.ledgerEntry.createMany({
      data: [
        { transferId, accountId: from.id, amount: -amount },
        { transferId, accountId: to.id, amount },
      ],
    });
    return { transferId, duplicate: false, fromBalance: Number(from.balance), toBalance: Number(to.balance) };
  });
}

async function insertTransfer(tx: Prisma.TransactionClient, input: TransferInput): Promise<string | null> {
  if (!input.idempotencyKey) {
    const row = await tx.ledgerTransfer.create({ data: { kind: input.kind, memo: input.memo ?? null }, select: { id: true } });
    return row.id;
  }
  // ON CONFLICT keeps a concurrent duplicate from aborting the caller's transaction.
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO ledger_transfers (id, kind, "idempotencyKey", memo, "createdAt")
    VALUES (${cuidLike()}, ${input.kind}::"TransferKind", ${input.idempotencyKey}, ${input.memo ?? null}, now())
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

let counter = 0;
/** Sortable unique id for rows inserted with raw SQL (Prisma's cuid() runs client-side only). */
export function cuidLike(): string {
  counter = (counter + 1) % 1_679_616;
  return "c" + Date.now().toString(36) + counter.toString(36).padStart(4, "0") + Math.random().toString(36).slice(2, 10).padEnd(8, "0");
}

export async function balanceOf(client: DbClient, key: string): Promise<number> {
  const row = await client.ledgerAccount.findUnique({ where: { key }, select: { balance: true } });
  return row ? Number(row.balance) : 0;
}

export interface LedgerViolation {
  rule: string;
  detail: string;
}

/** Proves the ledger's invariants; an empty list means the books balance. */
export async function checkLedger(client: DbClient): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  const [total] = await client.$queryRaw<{ sum: bigint | null }[]>`SELECT coalesce(sum(amount), 0)::bigint AS sum FROM ledger_entries`;
  if ((total?.sum ?? 0n) !== 0n) violations.push({ rule: "entries sum to zero", detail: `sum is ${total?.sum}` });

  const unbalanced = await client.$queryRaw<{ transferId: string; sum: bigint; n: bigint }[]>`
    SELECT "transferId", sum(amount)::bigint AS sum, count(*) AS n FROM ledger_entries
    GROUP BY "transferId" HAVING sum(amount) <> 0 OR count(*) < 2 LIMIT 20`;
  for (const t of unbalanced) {
    violations.push({
      rule: "each transfer's entries sum to zero, and it has at least two",
      detail: `transfer ${t.transferId}: ${t.n} entries, sum ${t.sum}`,
    });
  }
  const empty = await client.$queryRaw<{ id: string }[]>`
    SELECT t.id FROM ledger_transfers t
    WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e."transferId" = t.id) LIMIT 20`;
  for (const t of empty) violations.push({ rule: "each transfer has entries", detail: `transfer ${t.id} has none` });

  const drift = await client.$queryRaw<{ key: string; balance: bigint; sum: bigint }[]>`
    SELECT a.key, a.balance, coalesce(sum(e.amount), 0)::bigint AS sum
      FROM ledger_accounts a LEFT JOIN ledger_entries e ON e."accountId" = a.id
     GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0) LIMIT 20`;
  for (const a of drift) {
    violations.push({ rule: "cached balance equals the sum of entries", detail: `${a.key}: cached ${a.balance}, entries ${a.sum}` });
  }
  const negative = await client.$queryRaw<{ key: string; balance: bigint }[]>`
    SELECT key, balance FROM ledger_accounts WHERE NOT "allowNegative" AND "overdrawnAt" IS NULL AND balance < 0 LIMIT 20`;
  for (const a of negative) {
    violations.push({ rule: "no negative balance outside mints and accounts flagged overdrawn", detail: `${a.key}: ${a.balance}` });
  }
  return violations;
}
