// SIGKILL a process in the middle of settling a 50,000-bet pool: settlement is one transaction,
// so the kill rolls it back entirely; settling again pays every bet exactly once.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import path from "node:path";
import { db } from "../../lib/db";
import { checkLedger } from "../ledger";
import { waitUntil } from "../../test/paddock-harness";
import { makeRun, moneySnapshot, randomBets, seedBets, seedUsers, settlementLedger } from "./fixtures";
import { lockPool } from "./pools";
import { settlePool } from "./settle-pool";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("a settlement killed mid-way", () => {
  it("rolls back completely, and the next settlement pays every bet exactly once", async () => {
    const users = await seedUsers(db, 200, 1_000_000_000);
    const run = await makeRun(db, { createdById: users[0]! });
    await seedBets(db, run, randomBets(users, 50_000));
    await db.run.update({ where: { id: run.runId }, data: { status: "succeeded" } });
    await lockPool(db, { runId: run.runId, reason: "ended" });
    const before = await moneySnapshot(db);

    // node --import tsx, not the tsx binary: that one runs the script in a grandchild, which a
    // SIGKILL of the wrapper would leave running.
    const child = spawn(process.execPath, ["--import", "tsx", "server/domain/betting/settle-pool.cli.ts", run.poolId], {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Kill it while its backend is inside the set-based payout statement.
    const backend = await waitUntil(
      async () => {
        const rows = await db.$queryRaw<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%settle:payouts%'`;
        return rows[0];
      },
      "the payout statement to start",
      60_000,
      10,
    );
    child.kill("SIGKILL");
    await exited;
    // Postgres aborts the dead client's transaction once its backend notices the closed socket.
    await waitUntil(
      async () =>
        (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${backend.pid}`)[0]!.n === 0,
      "the killed backend to end",
      120_000,
    );

    expect(await moneySnapshot(db)).toEqual(before);
    expect(await db.bet.count({ where: { poolId: run.poolId, payout: { not: null } } })).toBe(0);
    expect((await db.pool.findUniqueOrThrow({ where: { id: run.poolId } })).status).toBe("locked");
    expect(await checkLedger(db)).toEqual([]);

    const result = await settlePool(db, run.poolId);
    expect(result.state).toBe("settled");
    expect(await settlePool(db, run.poolId)).toMatchObject({ state: "already" });
    const [paid] = await db.$queryRaw<
      { bets: number; unpaid: number; transfers: number; credits: number; winners: number; total: bigint; pool: bigint }[]
    >`
      SELECT count(*)::int AS bets,
             count(*) FILTER (WHERE b.payout IS NULL)::int AS unpaid,
             (SELECT count(*)::int FROM ledger_transfers t WHERE t."idempotencyKey" = 'payout:' || ${run.poolId}) AS transfers,
             (SELECT count(*)::int FROM ledger_entries e JOIN bets w ON e."betId" = w.id WHERE w."poolId" = ${run.poolId}) AS credits,
             count(*) FILTER (WHERE b.payout > 0)::int AS winners,
             sum(b.payout)::bigint AS total,
             sum(b.amount)::bigint AS pool
        FROM bets b WHERE b."poolId" = ${run.poolId}`;
    expect(paid).toMatchObject({ bets: 50_000, unpaid: 0, transfers: 1 });
    // Every paid bet has exactly one credit entry (of any transfer), carrying exactly its payout.
    expect(paid!.credits).toBe(paid!.winners);
    const { stored, expected } = await settlementLedger(db, run.poolId, "payout");
    expect(stored).toEqual(expected);
    expect(paid!.total).toBe(paid!.pool);
    expect(await checkLedger(db)).toEqual([]);
  }, 240_000);
});
