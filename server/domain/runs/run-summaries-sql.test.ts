// readRunSummaries (one statement on the pg pool) against Prisma's own read of the same select:
// same rows, same values, same types — dates, bigints, enums, nulls, and a run without a pool.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db";
import { pgPool } from "../../lib/pg";
import { makeUser } from "../../test/helpers";
import { makeRun } from "../betting/fixtures";
import { runSummarySelect } from "./queries";
import { readRunSummaries } from "./run-summaries-sql";

describe("readRunSummaries", () => {
  it("reads what Prisma reads for runSummarySelect, in the order of the ids given", async () => {
    const user = await makeUser();
    const plain = await makeRun(db, { createdById: user.id, visibility: "workspace", model: "summaries-model" });
    const settled = await makeRun(db, { createdById: user.id, status: "succeeded", locksAt: new Date("2026-12-01T10:00:00.123Z") });
    await db.run.update({
      where: { id: settled.runId },
      data: {
        finishedAt: new Date("2026-12-01T11:00:00.456Z"),
        summary: "done",
        verifiedProgress: 12.5,
        currentProgress: 0.1 + 0.2,
        costCents: 321,
      },
    });
    await db.pool.update({
      where: { id: settled.poolId },
      data: { yesTotal: 9_007_199_254_740_993n, noTotal: 5n, betCount: 3, status: "settled", outcome: "yes", settledAt: new Date() },
    });
    // A run whose pool is not there (yet): the relation reads as null.
    const { id: poolless } = await db.run.create({
      data: {
        goal: "no pool",
        metric: "points",
        targetValue: 1,
        agentId: (await db.run.findUniqueOrThrow({ where: { id: plain.runId } })).agentId,
        durationMinutes: 5,
        idleTimeoutMinutes: 5,
        createdById: user.id,
        workspaceId: (await db.run.findUniqueOrThrow({ where: { id: plain.runId } })).workspaceId,
      },
      select: { id: true },
    });
    const ids = [settled.runId, poolless, "no-such-run", plain.runId];

    const ours = await readRunSummaries(pgPool(), runSummarySelect, ids);
    const prisma = await db.run.findMany({ where: { id: { in: ids } }, select: runSummarySelect });
    const byId = new Map(prisma.map((r) => [r.id, r]));
    expect(ours).toEqual([byId.get(settled.runId), byId.get(poolless), byId.get(plain.runId)]);
    expect(ours[0]!.pool!.yesTotal).toBe(9_007_199_254_740_993n);
    expect(ours[0]!.finishedAt).toEqual(new Date("2026-12-01T11:00:00.456Z"));
    expect(ours[1]!.pool).toBeNull();
    expect(await readRunSummaries(pgPool(), runSummarySelect, [])).toEqual([]);
  });
});
