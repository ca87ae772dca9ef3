import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../../app";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { createApiToken } from "../../domain/users";
import { lockPool, settlePool } from "../../domain/betting";
import { makeRun } from "../../domain/betting/fixtures";
import { quoteBet } from "@shared/odds";

/** Runs are created by someone other than their bettors: a creator may not bet on their own run. */
const creatorId = async () => (await makeUser({ grant: 0 })).id;

describe("betting.getOdds / quote", () => {
  it("reports empty sides as such, then the pool's multipliers and percentages", async () => {
    const alice = await makeUser({ grant: 50_000 });
    const run = await makeRun(db, { createdById: await creatorId(), locksAt: new Date(Date.now() + 3_600_000) });
    expect(await alice.caller.betting.getOdds({ runId: run.runId })).toMatchObject({
      status: "open",
      bettingOpen: true,
      totalPool: 0,
      yesOdds: null,
      noOdds: null,
      yesPct: null,
      noPct: null,
    });
    await alice.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 300 });
    expect(await alice.caller.betting.getOdds({ runId: run.runId })).toMatchObject({
      yesOdds: 1,
      noOdds: null,
      yesPct: 100,
      noPct: 0,
    });
    await alice.caller.betting.placeBet({ runId: run.runId, side: "no", amount: 100 });
    const odds = await alice.caller.betting.getOdds({ runId: run.runId });
    expect(odds).toMatchObject({
      yesTotal: 300,
      noTotal: 100,
      totalPool: 400,
      betCount: 2,
      yesOdds: 400 / 300,
      noOdds: 4,
      yesPct: 75,
      noPct: 25,
    });
    expect(odds.locksAt).toBeInstanceOf(Date);

    expect(await alice.caller.betting.quote({ runId: run.runId, side: "no", amount: 200 })).toEqual(
      quoteBet({ yesTotal: 300, noTotal: 100 }, "no", 200),
    );
    expect(await rejection(alice.caller.betting.quote({ runId: run.runId, side: "no", amount: 5 }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "amount",
    });

    await lockPool(db, { runId: run.runId, reason: "progress" });
    expect(await alice.caller.betting.getOdds({ runId: run.runId })).toMatchObject({
      status: "locked",
      lockReason: "progress",
      bettingOpen: false,
    });
  });

  it("says betting is closed once the run has ended or its time lock is due", async () => {
    const alice = await makeUser();
    const ended = await makeRun(db, { createdById: await creatorId(), status: "failed" });
    expect((await alice.caller.betting.getOdds({ runId: ended.runId })).bettingOpen).toBe(false);
    const due = await makeRun(db, { createdById: await creatorId(), locksAt: new Date(Date.now() - 1) });
    expect((await alice.caller.betting.getOdds({ runId: due.runId })).bettingOpen).toBe(false);
    expect(await rejection(alice.caller.betting.getOdds({ runId: "nope" }))).toMatchObject({ code: "NOT_FOUND", field: "runId" });
  });
});

describe("betting.placeBet", () => {
  it("maps refusals to tRPC codes with the field", async () => {
    const bob = await makeUser({ grant: 1_000 });
    const run = await makeRun(db, { createdById: await creatorId() });
    expect(await rejection(bob.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 5_000 }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      field: "amount",
    });
    await lockPool(db, { runId: run.runId, reason: "time" });
    expect(await rejection(bob.caller.betting.placeBet({ runId: run.runId, side: "yes", amount: 500 }))).toMatchObject({
      code: "CONFLICT",
      field: "runId",
    });
  });

  it("over HTTP with a personal API token: a clear message naming the field", async () => {
    const carol = await makeUser({ grant: 200 });
    const run = await makeRun(db, { createdById: await creatorId() });
    const { token } = await createApiToken(db, carol.id, "test");
    const app = createApp();
    const bet = (amount: unknown) =>
      request(app)
        .post("/trpc/betting.placeBet")
        .set("authorization", `Bearer ${token}`)
        .send({ json: { runId: run.runId, side: "yes", amount } });
    const short = await bet(300);
    expect(short.status).toBe(412);
    expect(short.body.error.json.message).toMatch(/insufficient funds: amount 300 exceeds your balance of 200/);
    expect(short.body.error.json.data).toMatchObject({ appCode: "INSUFFICIENT_FUNDS", field: "amount" });
    const notCents = await bet(1.5);
    expect(notCents.status).toBe(400);
    expect(notCents.body.error.json.data.field).toBe("amount");
    const ok = await bet(150);
    expect(ok.status).toBe(200);
    expect(ok.body.result.data.json).toMatchObject({ amount: 150, balance: 50 });
  });
});

describe("betting.pool / myBets / leaderboard", () => {
  it("lists a pool's recent bets with names, and each bettor's bets with P/L and totals", async () => {
    const dave = await makeUser({ name: "Dave", grant: 100_000 });
    const erin = await makeUser({ name: "Erin", grant: 100_000 });
    const first = await makeRun(db, { createdById: await creatorId() });
    const second = await makeRun(db, { createdById: await creatorId() });
    await dave.caller.betting.placeBet({ runId: first.runId, side: "yes", amount: 1_000 });
    await erin.caller.betting.placeBet({ runId: first.runId, side: "no", amount: 3_000 });
    await dave.caller.betting.placeBet({ runId: second.runId, side: "no", amount: 700 });
    await dave.caller.betting.placeBet({ runId: second.runId, side: "yes", amount: 200 });

    const pool = await dave.caller.betting.pool({ runId: first.runId });
    expect(pool.recentBets.map((b) => [b.user.name, b.side, b.amount])).toEqual([
      ["Erin", "no", 3_000],
      ["Dave", "yes", 1_000],
    ]);
    expect(pool).toMatchObject({ totalPool: 4_000, status: "open" });

    await db.run.update({ where: { id: first.runId }, data: { status: "succeeded" } });
    await settlePool(db, first.poolId);

    const mine = await dave.caller.betting.myBets({ limit: 2 });
    expect(mine.totals).toEqual({ openCount: 2, settledCount: 1, openExposure: 900, realizedPnl: 3_000, wagered: 1_900 });
    expect(mine.items).toHaveLength(2);
    expect(mine.items.every((b) => b.state === "open" && b.profit === null)).toBe(true);
    const rest = await dave.caller.betting.myBets({ limit: 2, cursor: mine.nextCursor! });
    expect(rest.nextCursor).toBeNull();
    expect(rest.items).toEqual([expect.objectContaining({ runId: first.runId, state: "won", payout: 4_000, profit: 3_000 })]);
    expect((await dave.caller.betting.myBets({ runId: second.runId })).items).toHaveLength(2);
    expect((await dave.caller.betting.myBets({ filter: "settled" })).items).toHaveLength(1);
    const erins = await erin.caller.betting.myBets({});
    expect(erins.items).toEqual([expect.objectContaining({ state: "lost", payout: 0, profit: -3_000 })]);
    expect(erins.totals).toMatchObject({ realizedPnl: -3_000, openExposure: 0 });

    const board = await dave.caller.betting.leaderboard({});
    const row = (name: string) => board.bettors.find((b) => b.name === name);
    expect(row("Dave")).toMatchObject({ profit: 3_000, bets: 1, won: 1, lost: 0 });
    expect(row("Erin")).toMatchObject({ profit: -3_000, bets: 1, won: 0, lost: 1 });
    expect(board.bettors.indexOf(row("Dave")!)).toBeLessThan(board.bettors.indexOf(row("Erin")!));
  });

  it("ranks models by success rate over finished runs, leaving canceled runs out", async () => {
    const frank = await makeUser();
    const runs: [string, "succeeded" | "failed" | "expired" | "canceled" | "running"][] = [
      ["model-a", "succeeded"],
      ["model-a", "succeeded"],
      ["model-a", "failed"],
      ["model-a", "canceled"],
      ["model-b", "succeeded"],
      ["model-b", "expired"],
      ["model-b", "running"],
    ];
    for (const [model, status] of runs) await makeRun(db, { createdById: frank.id, model, status });
    const { models } = await frank.caller.betting.leaderboard({});
    const a = models.find((m) => m.model === "model-a")!;
    const b = models.find((m) => m.model === "model-b")!;
    expect(a).toEqual({ model: "model-a", runs: 3, succeeded: 2, successRate: 2 / 3 });
    expect(b).toEqual({ model: "model-b", runs: 2, succeeded: 1, successRate: 0.5 });
    expect(models.indexOf(a)).toBeLessThan(models.indexOf(b));
  });

  it("requires sign-in", async () => {
    const { anonymousCaller } = await import("../../test/helpers");
    expect(await rejection(anonymousCaller().betting.leaderboard({}))).toMatchObject({ code: "UNAUTHORIZED" });
  });
});
