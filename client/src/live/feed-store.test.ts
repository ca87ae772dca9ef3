import { describe, expect, it } from "vitest";
import { FeedStore } from "./feed-store";
import { applyPatch, mergePatches, type PatchableRun } from "./run-patches";

const ev = (seq: number) => ({ seq, kind: "log", payload: { message: `#${seq}` }, createdAt: new Date(1_700_000_000_000 + seq) });

describe("FeedStore", () => {
  it("keeps events in sequence order without duplicates, whatever order they arrive in", () => {
    const store = new FeedStore();
    store.merge([ev(5), ev(4), ev(3)], { hasOlder: true });
    store.merge([ev(6), ev(7)]);
    store.merge([ev(7), ev(8), ev(2)]); // a replay overlapping live delivery, plus an older page
    const { events, lastSeq, hasOlder } = store.get();
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(lastSeq).toBe(8);
    expect(hasOlder).toBe(true);
    expect(events[0]!.at).toBe(1_700_000_000_002);
  });

  it("appends newer events without copying work for the common case and notifies subscribers", () => {
    const store = new FeedStore();
    let calls = 0;
    store.subscribe(() => (calls += 1));
    store.merge([ev(1)]);
    const before = store.get();
    store.merge([ev(2), ev(3)]);
    expect(store.get().events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(store.get().version).toBe(before.version + 1);
    expect(calls).toBe(2);
    store.merge([]);
    expect(calls).toBe(2);
  });

  it("seed keeps a feed it can extend and starts over after a gap", () => {
    const store = new FeedStore();
    store.seed([ev(4), ev(5)]);
    expect(store.get()).toMatchObject({ lastSeq: 5, hasOlder: true });
    store.seed([ev(5), ev(6)]); // a refetch overlapping what is held: kept
    expect(store.get().events.map((e) => e.seq)).toEqual([4, 5, 6]);
    store.seed([ev(9), ev(10)]); // 7 and 8 missing: the old feed cannot be trusted
    expect(store.get().events.map((e) => e.seq)).toEqual([9, 10]);
    expect(store.get().hasOlder).toBe(true);
  });

  it("reset forgets everything (a gap too large to replay)", () => {
    const store = new FeedStore();
    store.seeded = true;
    store.merge([ev(1), ev(2)]);
    store.reset();
    expect(store.get()).toMatchObject({ events: [], lastSeq: 0, hasOlder: false });
    expect(store.seeded).toBe(false);
  });
});

describe("run patches", () => {
  const run: PatchableRun & { goal: string } = {
    id: "r1",
    goal: "g",
    currentProgress: 1,
    targetValue: 10,
    status: "running",
    statusReason: null,
    startedAt: null,
    expiresAt: null,
    finishedAt: null,
    error: null,
    pool: { yesTotal: 100, noTotal: 0, betCount: 1, status: "open", outcome: null, lockReason: null },
  };

  it("merges bursts into one patch and applies it without touching other fields", () => {
    const patch = mergePatches(mergePatches(undefined, { currentProgress: 3 }), { pool: { noTotal: 50, betCount: 2 } });
    const next = applyPatch(run, mergePatches(patch, { currentProgress: 4, status: "running" }));
    expect(next).toEqual({ ...run, currentProgress: 4, pool: { ...run.pool!, noTotal: 50, betCount: 2 } });
    expect(run.currentProgress).toBe(1); // the cached object is never mutated
  });

  it("leaves a run without a pool alone when a pool update arrives", () => {
    expect(applyPatch({ ...run, pool: null }, { pool: { yesTotal: 5 } }).pool).toBeNull();
  });
});
