// SLA clocks on a clock the test controls (`now`): on track → at risk → breached by time, met by a
// decision and then never moved, one change per clock whatever the concurrency, the at-risk task's
// priority raised, and the alert outbox sending each change once.
import { beforeAll, describe, expect, it } from "vitest";
import { db, type Prisma } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { advanceSlas, meetSlas, relaySlaAlerts, type SlaChange } from "./sla";
import { makeReviewDeliverable, openSlas } from "./sla-fixtures";

const MIN = 60_000;
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MIN);

let userId: string;
let workspaceId: string;
beforeAll(async () => {
  const owner = await makeUser();
  userId = owner.id;
  workspaceId = (await owner.caller.workspace.create({ name: "SLAs" })).id;
});

const activities = (deliverableId: string) =>
  db.projectActivity.findMany({ where: { subjectId: deliverableId }, select: { kind: true, data: true }, orderBy: { createdAt: "asc" } });
const clock = (id: string) => db.deliverableSla.findUniqueOrThrow({ where: { id } });

describe("an SLA clock", () => {
  it("goes on track → at risk (under 20 % of its window left) → breached, and the task's priority is raised", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    // Priority 3: a first response within 8 hours, at risk from 6 h 24 min.
    const made = await makeReviewDeliverable(db, { workspaceId, userId, priority: 3 });
    const [first] = await openSlas(db, made, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    expect(first!.atRiskAt).toEqual(at(t0, 384));
    expect(first!.dueAt).toEqual(at(t0, 480));

    expect((await advanceSlas(db, { now: at(t0, 383), slaId: first!.id, limit: 10 })).changed).toEqual([]);
    expect((await clock(first!.id)).state).toBe("on_track");

    const risk = await advanceSlas(db, { now: at(t0, 384), slaId: first!.id, limit: 10 });
    expect(risk.changed).toEqual([
      expect.objectContaining({ id: first!.id, state: "at_risk", kind: "first_response", projectId: made.project.id, at: at(t0, 384) }),
    ]);
    expect(risk.raised).toEqual([expect.objectContaining({ id: made.task.id, priority: 5, status: "review" })]);
    expect((await db.task.findUniqueOrThrow({ where: { id: made.task.id } })).priority).toBe(5);
    expect(await clock(first!.id)).toMatchObject({ state: "at_risk", atRiskSince: at(t0, 384), breachedAt: null, alertPending: true });

    const breach = await advanceSlas(db, { now: at(t0, 480), slaId: first!.id, limit: 10 });
    expect(breach.changed).toEqual([expect.objectContaining({ id: first!.id, state: "breached", dueAt: at(t0, 480), at: at(t0, 480) })]);
    expect(breach.raised).toEqual([]); // already at the top
    // A breached clock never moves again, and a late decision does not make it met.
    expect((await advanceSlas(db, { now: at(t0, 9_999), slaId: first!.id, limit: 10 })).changed).toEqual([]);
    expect(await meetSlas(db, { deliverableId: made.deliverable.id, kinds: ["first_response"], now: at(t0, 10_000) })).toEqual([]);
    expect(await clock(first!.id)).toMatchObject({ state: "breached", atRiskSince: at(t0, 384), breachedAt: at(t0, 480), metAt: null });
    expect((await activities(made.deliverable.id)).map((a) => a.kind)).toEqual(["sla.at_risk", "sla.breached"]);
  });

  it("found late goes straight to breached: one change, one activity", async () => {
    const t0 = new Date("2031-01-01T00:00:00Z");
    const made = await makeReviewDeliverable(db, { workspaceId, userId, priority: 5 });
    const [first] = await openSlas(db, made, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    const late = await advanceSlas(db, { now: at(t0, 61), slaId: first!.id, limit: 10 });
    expect(late.changed.map((c) => c.state)).toEqual(["breached"]);
    expect((await activities(made.deliverable.id)).map((a) => a.kind)).toEqual(["sla.breached"]);
  });

  it("met in time stays met: no alert, no at-risk, ever after", async () => {
    const t0 = new Date("2032-01-01T00:00:00Z");
    const made = await makeReviewDeliverable(db, { workspaceId, userId, priority: 3 });
    const [first, delivery] = await openSlas(db, made, { now: t0, minuteMs: MIN });
    const met = await meetSlas(db, { deliverableId: made.deliverable.id, kinds: ["first_response"], now: at(t0, 10) });
    expect(met).toEqual([expect.objectContaining({ id: first!.id, state: "met", at: at(t0, 10), projectId: made.project.id })]);
    // Meeting twice meets nothing more.
    expect(await meetSlas(db, { deliverableId: made.deliverable.id, kinds: ["first_response"], now: at(t0, 11) })).toEqual([]);
    // Long after both thresholds: the delivery clock moves, the met one does not.
    const later = await advanceSlas(db, { now: at(t0, 3 * 24 * 60 + 1), slaId: first!.id, limit: 10 });
    expect(later.changed).toEqual([]);
    expect((await advanceSlas(db, { now: at(t0, 3 * 24 * 60 + 1), slaId: delivery!.id, limit: 10 })).changed.map((c) => c.state)).toEqual([
      "breached",
    ]);
    expect(await clock(first!.id)).toMatchObject({ state: "met", metAt: at(t0, 10), atRiskSince: null, breachedAt: null });
    expect((await activities(made.deliverable.id)).map((a) => a.kind)).toEqual(["sla.met", "sla.breached"]);
  });

  it("twelve watchers at once (jobs for the clock and sweeps) make one change and one activity", async () => {
    // Earlier than every other test's clocks, so these sweeps move this test's clock alone.
    const t0 = new Date("2001-01-01T00:00:00Z");
    const made = await makeReviewDeliverable(db, { workspaceId, userId, priority: 4 });
    const [first] = await openSlas(db, made, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    const now = at(t0, 4 * 60 - 1); // at risk, not yet due
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => advanceSlas(db, { now, slaId: i % 2 === 0 ? first!.id : undefined, limit: 50 })),
    );
    expect(results.flatMap((r) => r.changed).map((c) => [c.id, c.state])).toEqual([[first!.id, "at_risk"]]);
    expect(results.flatMap((r) => r.raised).map((t) => t.id)).toEqual([made.task.id]);
    expect((await activities(made.deliverable.id)).map((a) => a.kind)).toEqual(["sla.at_risk"]);
  });

  it("a watcher racing a transaction that holds the clock (another watcher, a decision meeting it) does not move it again", async () => {
    const t0 = new Date("2002-01-01T00:00:00Z");
    const now = at(t0, 4 * 60 + 1); // priority 4: due after 4 hours
    /** Runs `first` in a transaction kept open until `second` (run outside it meanwhile) has had its go. */
    async function race<T>(first: (tx: Prisma.TransactionClient) => Promise<T>, second: () => Promise<{ changed: SlaChange[] }>) {
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const held = db.$transaction(async (tx) => {
        const r = await first(tx);
        locked();
        await released;
        return r;
      });
      await holding;
      const other = second();
      await new Promise((r) => setTimeout(r, 300)); // the other blocks on the row or skips it
      release();
      return [await held, await other] as const;
    }

    const a = await makeReviewDeliverable(db, { workspaceId, userId, priority: 4 });
    const [aClock] = await openSlas(db, a, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    const [first, second] = await race(
      (tx) => advanceSlas(tx, { now, slaId: aClock!.id, limit: 10 }),
      () => advanceSlas(db, { now, slaId: aClock!.id, limit: 10 }),
    );
    expect([...first.changed, ...second.changed].map((c) => c.state)).toEqual(["breached"]);
    expect((await activities(a.deliverable.id)).map((x) => x.kind)).toEqual(["sla.breached"]);

    const b = await makeReviewDeliverable(db, { workspaceId, userId, priority: 4 });
    const [bClock] = await openSlas(db, b, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    const [met, watched] = await race(
      (tx) => meetSlas(tx, { deliverableId: b.deliverable.id, kinds: ["first_response"], now }),
      () => advanceSlas(db, { now, slaId: bClock!.id, limit: 10 }),
    );
    expect(met.map((m) => m.state)).toEqual(["met"]);
    expect(watched.changed).toEqual([]);
    expect((await clock(bClock!.id)).state).toBe("met");
    expect((await activities(b.deliverable.id)).map((x) => x.kind)).toEqual(["sla.met"]);
  });

  it("leaves the priority a person set, and uses the project's override of the window", async () => {
    const t0 = new Date("2033-01-01T00:00:00Z");
    const made = await makeReviewDeliverable(db, {
      workspaceId,
      userId,
      priority: 2,
      priorityOverride: true,
      slaPolicy: { "2": { firstResponseMinutes: 10 } },
    });
    const [first] = await openSlas(db, made, { kinds: ["first_response"], now: t0, minuteMs: MIN });
    expect(first!.dueAt).toEqual(at(t0, 10));
    const moved = await advanceSlas(db, { now: at(t0, 10), slaId: first!.id, limit: 10 });
    expect(moved.changed.map((c) => c.state)).toEqual(["breached"]);
    expect(moved.raised).toEqual([]);
    expect((await db.task.findUniqueOrThrow({ where: { id: made.task.id } })).priority).toBe(2);
  });
});

describe("the alert outbox", () => {
  it("sends each pending change once across concurrent relays, and keeps it pending when sending fails", async () => {
    const t0 = new Date("2034-01-01T00:00:00Z");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const made = await makeReviewDeliverable(db, { workspaceId, userId, priority: 5, title: `Outbox ${i}` });
      const [first] = await openSlas(db, made, { kinds: ["first_response"], now: t0, minuteMs: MIN });
      await advanceSlas(db, { now: at(t0, 50), slaId: first!.id, limit: 10 });
      ids.push(first!.id);
    }
    // A relay that dies before its commit: nothing is marked sent.
    await expect(
      relaySlaAlerts(db, {
        limit: 100,
        send: () => {
          throw new Error("the worker died");
        },
      }),
    ).rejects.toThrow("the worker died");
    expect(await db.deliverableSla.count({ where: { id: { in: ids }, alertPending: true } })).toBe(6);

    const sent: SlaChange[] = [];
    const counts = await Promise.all(Array.from({ length: 4 }, () => relaySlaAlerts(db, { limit: 2, send: (c) => sent.push(...c) })));
    // Whatever each relay took, the rest goes with the next ones; nothing twice.
    while ((await relaySlaAlerts(db, { limit: 2, send: (c) => sent.push(...c) })) > 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8);
    expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
    const mine = sent.filter((s) => ids.includes(s.id));
    expect(mine.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(mine.every((s) => s.state === "at_risk" && s.at.getTime() === at(t0, 50).getTime())).toBe(true);
    expect(await db.deliverableSla.count({ where: { id: { in: ids }, alertPending: true } })).toBe(0);
  });
});
