// The live event feed of one run: every event the page has seen, in sequence order, kept
// outside react-query so a refetch of run.get (which carries only the newest events) never
// drops the thousands already loaded. Socket messages are merged in batches, once per frame.
import { useSyncExternalStore } from "react";

export interface FeedEvent {
  seq: number;
  kind: string;
  payload: unknown;
  /** Epoch milliseconds. */
  at: number;
}

export interface FeedSnapshot {
  /** Ascending by seq, no duplicates. */
  events: FeedEvent[];
  /** Highest seq seen (0 before any). */
  lastSeq: number;
  /** Events older than events[0] exist on the server and can be paged in. */
  hasOlder: boolean;
  /** Bumped on every change, for cheap memo keys. */
  version: number;
}

export interface RawEvent {
  seq: number;
  kind: string;
  payload: unknown;
  createdAt: Date | string | number;
}

const toFeed = (e: RawEvent): FeedEvent => ({
  seq: e.seq,
  kind: e.kind,
  payload: e.payload,
  at: e.createdAt instanceof Date ? e.createdAt.getTime() : new Date(e.createdAt).getTime(),
});

export class FeedStore {
  private snapshot: FeedSnapshot = { events: [], lastSeq: 0, hasOlder: false, version: 0 };
  private listeners = new Set<() => void>();
  private pending: FeedEvent[] = [];
  private frame: number | undefined;
  seeded = false;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = () => this.snapshot;

  /** Seeds (or re-seeds after a refetch) from the newest page of events the run's read returned. */
  seed(raw: RawEvent[]) {
    const oldest = raw.reduce((min, e) => Math.min(min, e.seq), Number.POSITIVE_INFINITY);
    // A feed left behind by an earlier visit with a gap before these events cannot be trusted.
    if (this.seeded && raw.length > 0 && this.snapshot.lastSeq < oldest - 1) this.reset();
    const first = !this.seeded;
    this.seeded = true;
    this.merge(raw, first ? { hasOlder: raw.length > 0 && oldest > 1 } : {});
  }

  /** Adds events now (initial load, catch-up, older pages). */
  merge(raw: RawEvent[], opts: { hasOlder?: boolean } = {}) {
    this.apply(raw.map(toFeed), opts.hasOlder);
  }

  /** Adds live events at the next animation frame, batched with their neighbours. */
  push(raw: RawEvent[]) {
    for (const e of raw) this.pending.push(toFeed(e));
    if (this.frame !== undefined) return;
    const flush = () => {
      this.frame = undefined;
      const batch = this.pending;
      this.pending = [];
      this.apply(batch);
    };
    // Hidden tabs get no animation frames; a timer keeps the feed current for when they return.
    this.frame = document.hidden ? (setTimeout(flush, 250) as unknown as number) : requestAnimationFrame(flush);
  }

  reset() {
    this.pending = [];
    this.seeded = false;
    this.snapshot = { events: [], lastSeq: 0, hasOlder: false, version: this.snapshot.version + 1 };
    this.emit();
  }

  private apply(incoming: FeedEvent[], hasOlder?: boolean) {
    const prev = this.snapshot;
    if (incoming.length === 0 && (hasOlder === undefined || hasOlder === prev.hasOlder)) return;
    let events: FeedEvent[];
    const sorted = incoming.length > 1 ? [...incoming].sort((a, b) => a.seq - b.seq) : incoming;
    const first = sorted[0];
    const last = prev.events[prev.events.length - 1];
    if (!first) events = prev.events;
    else if (!last || first.seq > last.seq) {
      // The common case: strictly newer events, appended without touching the rest.
      events = prev.events.concat(dedupeSorted(sorted));
    } else {
      const bySeq = new Map<number, FeedEvent>();
      for (const e of prev.events) bySeq.set(e.seq, e);
      for (const e of sorted) bySeq.set(e.seq, e);
      events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    }
    this.snapshot = {
      events,
      lastSeq: Math.max(prev.lastSeq, events[events.length - 1]?.seq ?? 0),
      hasOlder: hasOlder ?? prev.hasOlder,
      version: prev.version + 1,
    };
    this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}

function dedupeSorted(events: FeedEvent[]): FeedEvent[] {
  return events.filter((e, i) => i === 0 || e.seq !== events[i - 1]!.seq);
}

const stores = new Map<string, FeedStore>();

/** One store per run for the life of the tab, so navigating away and back keeps the feed. */
export function feedStoreFor(runId: string): FeedStore {
  let store = stores.get(runId);
  if (!store) {
    store = new FeedStore();
    stores.set(runId, store);
    // Keep memory bounded when someone browses many runs.
    if (stores.size > 20) stores.delete(stores.keys().next().value!);
  }
  return store;
}

export function useFeed(store: FeedStore): FeedSnapshot {
  return useSyncExternalStore(store.subscribe, store.get);
}

/** Forget every feed (at sign-out). */
export function clearFeedStores() {
  stores.clear();
}
