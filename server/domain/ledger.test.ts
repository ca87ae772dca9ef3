import { describe, expect, it } from "vitest";
import { db } from "../lib/db";
import { balanceOf, checkLedger, MINT_SIGNUP, transfer, userAccountKey } from "./ledger";
import { makeUser } from "../test/helpers";
import { AppError } from "../lib/errors";

async function counts() {
  const [t, e] = await Promise.all([db.ledgerTransfer.count(), db.ledgerEntry.count()]);
  return { t, e };
}

describe("transfer", () => {
  it("moves money between two accounts and keeps the books balanced", async () => {
    const a = await makeUser({ grant: 10_000 });
    const b = await makeUser({ grant: 0 });
    const r = await transfer(db, { from: userAccountKey(a.id), to: userAccountKey(b.id), amount: 2_500, kind: "adjustment" });
    expect(r.duplicate).toBe(false);
    expect(r.fromBalance).toBe(7_500);
    expect(r.toBalance).toBe(2_500);
    expect(await balanceOf(db, userAccountKey(a.id))).toBe(7_500);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("refuses an overdraft and writes nothing", async () => {
    const a = await makeUser({ grant: 1_000 });
    const b = await makeUser({ grant: 0 });
    const before = await counts();
    const err = await transfer(db, { from: userAccountKey(a.id), to: userAccountKey(b.id), amount: 1_001, kind: "bet" }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("INSUFFICIENT_FUNDS");
    expect(err.field).toBe("amount");
    expect(await counts()).toEqual(before);
    expect(await balanceOf(db, userAccountKey(a.id))).toBe(1_000);
    expect(await balanceOf(db, userAccountKey(b.id))).toBe(0);
  });

  it("allows spending down to exactly zero", async () => {
    const a = await makeUser({ grant: 500 });
    const b = await makeUser({ grant: 0 });
    await transfer(db, { from: userAccountKey(a.id), to: userAccountKey(b.id), amount: 500, kind: "bet" });
    expect(await balanceOf(db, userAccountKey(a.id))).toBe(0);
  });

  it.each([0, -5, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])("rejects the amount %s naming the field", async (amount) => {
    const a = await makeUser();
    const b = await makeUser();
    const before = await counts();
    const err = await transfer(db, {
      from: userAccountKey(a.id),
      to: userAccountKey(b.id),
      amount,
      kind: "bet",
      amountField: "stake",
    }).catch((e) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST", field: "stake" });
    expect(err.message).toMatch(/stake must be a positive whole number of cents/);
    expect(await counts()).toEqual(before);
  });

  it("rejects a transfer to the same account", async () => {
    const a = await makeUser();
    await expect(transfer(db, { from: userAccountKey(a.id), to: userAccountKey(a.id), amount: 1, kind: "bet" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("rejects unknown accounts and writes nothing", async () => {
    const a = await makeUser();
    const before = await counts();
    await expect(transfer(db, { from: userAccountKey(a.id), to: "user:nobody", amount: 1, kind: "bet" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(transfer(db, { from: "user:nobody", to: userAccountKey(a.id), amount: 1, kind: "bet" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await counts()).toEqual(before);
    expect(await balanceOf(db, userAccountKey(a.id))).toBe(100_000);
  });

  it("is idempotent by key: a repeat moves nothing", async () => {
    const a = await makeUser({ grant: 1_000 });
    const b = await makeUser({ grant: 0 });
    const input = {
      from: userAccountKey(a.id),
      to: userAccountKey(b.id),
      amount: 300,
      kind: "payout" as const,
      idempotencyKey: `k-${a.id}`,
    };
    const first = await transfer(db, input);
    const again = await Promise.all([transfer(db, input), transfer(db, input), transfer(db, input)]);
    expect(again.every((r) => r.duplicate && r.transferId === first.transferId)).toBe(true);
    expect(await balanceOf(db, userAccountKey(b.id))).toBe(300);
  });

  it("lets mint accounts go negative and nothing else", async () => {
    const a = await makeUser({ grant: 0 });
    await transfer(db, { from: MINT_SIGNUP, to: userAccountKey(a.id), amount: 42, kind: "adjustment" });
    expect(await balanceOf(db, MINT_SIGNUP)).toBeLessThan(0);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("keeps the ledger append-only at the database level", async () => {
    await makeUser();
    await expect(db.$executeRaw`UPDATE ledger_entries SET amount = amount + 1`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`DELETE FROM ledger_transfers`).rejects.toThrow(/append-only/);
  });

  it("refuses entries that refer to a missing account or transfer, and never lets an account go", async () => {
    const a = await makeUser({ grant: 100 });
    const key = userAccountKey(a.id);
    const before = await db.ledgerEntry.count();
    // A statement with one bad row among good ones is refused whole.
    await expect(db.$executeRaw`
      INSERT INTO ledger_entries ("transferId", "accountId", amount)
      SELECT t.id, x.account, 1 FROM (SELECT id FROM ledger_transfers LIMIT 1) t,
             (VALUES ((SELECT id FROM ledger_accounts WHERE key = ${key})), ('no-such-account')) AS x(account)`).rejects.toThrow(
      /ledger account no-such-account that does not exist/,
    );
    await expect(db.$executeRaw`
      INSERT INTO ledger_entries ("transferId", "accountId", amount)
      SELECT 'no-such-transfer', id, 1 FROM ledger_accounts WHERE key = ${key}`).rejects.toThrow(
      /ledger transfer no-such-transfer that does not exist/,
    );
    expect(await db.ledgerEntry.count()).toBe(before);
    await expect(db.$executeRaw`DELETE FROM ledger_accounts WHERE key = ${key}`).rejects.toThrow(/permanent/);
    await expect(db.$executeRaw`UPDATE ledger_accounts SET id = 'renamed' WHERE key = ${key}`).rejects.toThrow(/permanent/);
    expect(await balanceOf(db, key)).toBe(100);
  });

  it("ledger check detects a tampered cached balance", async () => {
    const a = await makeUser({ grant: 100 });
    await db.$executeRaw`UPDATE ledger_accounts SET balance = balance + 1 WHERE key = ${userAccountKey(a.id)}`;
    const violations = await checkLedger(db);
    expect(violations.some((v) => v.rule === "cached balance equals the sum of entries")).toBe(true);
    await db.$executeRaw`UPDATE ledger_accounts SET balance = balance - 1 WHERE key = ${userAccountKey(a.id)}`;
  });

  describe("ledger check on multi-leg transfers (a pool's settlement: one debit, a credit per bet)", () => {
    /** Writes one transfer with `legs` ([user index, amount]) and their balances, checks the ledger, rolls back. */
    async function checkWithTransfer(legs: [number, number][]) {
      const users = await Promise.all([makeUser({ grant: 1_000 }), makeUser({ grant: 0 }), makeUser({ grant: 0 })]);
      const rollback = new Error("rollback");
      let violations: Awaited<ReturnType<typeof checkLedger>> = [];
      await db
        .$transaction(async (tx) => {
          const id = `multi-leg-${users[0].id}`;
          await tx.$executeRaw`INSERT INTO ledger_transfers (id, kind) VALUES (${id}, 'adjustment')`;
          for (const [u, amount] of legs) {
            const key = userAccountKey(users[u]!.id);
            await tx.$executeRaw`
              INSERT INTO ledger_entries ("transferId", "accountId", amount) SELECT ${id}, id, ${amount}::bigint FROM ledger_accounts WHERE key = ${key}`;
            await tx.$executeRaw`UPDATE ledger_accounts SET balance = balance + ${amount}::bigint WHERE key = ${key}`;
          }
          violations = await checkLedger(tx);
          throw rollback;
        })
        .catch((e) => {
          if (e !== rollback) throw e;
        });
      return violations;
    }

    it("accepts one debit and several credits that sum to zero", async () => {
      expect(
        await checkWithTransfer([
          [0, -600],
          [1, 100],
          [2, 500],
        ]),
      ).toEqual([]);
      expect(await checkLedger(db)).toEqual([]);
    });

    it("flags a multi-leg transfer that does not sum to zero", async () => {
      const violations = await checkWithTransfer([
        [0, -600],
        [1, 100],
        [2, 501],
      ]);
      expect(violations.map((v) => v.rule)).toContain("each transfer's entries sum to zero, and it has at least two");
      expect(violations.find((v) => v.rule.startsWith("each transfer"))?.detail).toMatch(/3 entries, sum 1$/);
    });
  });

  it("stays consistent under 200 concurrent transfers between a handful of accounts", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => makeUser({ grant: 2_000 })));
    const keys = users.map((u) => userAccountKey(u.id));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const jobs = Array.from({ length: 200 }, () => {
      const from = Math.floor(rand() * keys.length);
      const to = (from + 1 + Math.floor(rand() * (keys.length - 1))) % keys.length;
      const amount = 1 + Math.floor(rand() * 900);
      return transfer(db, { from: keys[from]!, to: keys[to]!, amount, kind: "adjustment" }).then(
        () => "ok" as const,
        (e: AppError) => e.code,
      );
    });
    const results = await Promise.all(jobs);
    expect(results.every((r) => r === "ok" || r === "INSUFFICIENT_FUNDS")).toBe(true);
    expect(results.filter((r) => r === "ok").length).toBeGreaterThan(50);
    expect(await checkLedger(db)).toEqual([]);
    const balances = await Promise.all(keys.map((k) => balanceOf(db, k)));
    expect(balances.every((b) => b >= 0)).toBe(true);
    expect(balances.reduce((s, b) => s + b, 0)).toBe(10_000);
  });
});
