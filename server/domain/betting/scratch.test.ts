import { it, expect } from "vitest";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { makeRun, seedUsers, seedBets, randomBets } from "./fixtures";
import { placeBet } from "./place-bet";
import { settlePool } from "./settle-pool";
import { checkLedger } from "../ledger";

it("scratch", async () => {
  const u = await makeUser({ grant: 1_000_000 });
  const run = await makeRun(db, { createdById: u.id });
  const b = await placeBet({ userId: u.id, sandboxId: run.sandboxId, side: "yes", amount: 500 });
  console.log(b);
  let t = performance.now();
  for (let i = 0; i < 500; i++) await placeBet({ userId: u.id, sandboxId: run.sandboxId, side: i % 2 ? "yes" : "no", amount: 100 });
  console.log("sequential placeBet ms/op", (performance.now() - t) / 500);
  await expect(placeBet({ userId: u.id, sandboxId: run.sandboxId, side: "yes", amount: 999_999 })).rejects.toThrow(/insufficient/);
  expect(await checkLedger(db)).toEqual([]);

  const users = await seedUsers(db, 1000, 100_000_000);
  for (const n of [10_000, 100_000]) {
    const r = await makeRun(db, { createdById: u.id });
    t = performance.now();
    await seedBets(db, r, randomBets(users, n));
    console.log("seed", n, performance.now() - t);
    await db.sandbox.update({ where: { id: r.sandboxId }, data: { status: "succeeded" } });
    t = performance.now();
    const res = await settlePool(r.poolId);
    console.log("settle", n, performance.now() - t, res.state, res.paidOut, res.balances.length);
  }
  expect(await checkLedger(db)).toEqual([]);
}, 300_000);
