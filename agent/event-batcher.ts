// Batches event() calls into few POST /events requests. Agents that log a lot would otherwise
// send one HTTP request per line and hit the bridge's rate limit.
//
// Each event is stamped with its own time when queued, so batching does not distort the feed.
// Batches are sent one after another, so the server assigns sequence numbers in call order.
// Send failures never reject a caller's promise (fire-and-forget logging must not crash an
// agent); they go to onError together with the events that were dropped.
import type { EventInput, EventKind, EventPayload, EventsResponse } from "../shared/bridge";

/** What the batcher sends through; PaddockAgentClient is one (declared here so sdk.ts can re-export the batcher). */
export interface EventSender {
  events(batch: EventInput[]): Promise<EventsResponse>;
}

export interface EventBatcherOptions {
  /** Send as soon as this many events are queued. Keep it at or below the server's cap. */
  maxBatch?: number;
  /** Send whatever is queued this long after the first queued event. */
  flushMs?: number;
  onError?: (error: unknown, dropped: EventInput[]) => void;
}

export interface EventBatcher {
  event<K extends EventKind>(kind: K, payload: EventPayload<K>): void;
  /** Sends everything queued and waits until every send has settled. */
  flush(): Promise<void>;
  /** Flushes, then refuses further events. Call before the process exits. */
  close(): Promise<void>;
  readonly pending: number;
}

export function createEventBatcher(client: EventSender, options: EventBatcherOptions = {}): EventBatcher {
  const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 50));
  const flushMs = Math.max(0, options.flushMs ?? 250);
  const onError =
    options.onError ??
    ((error: unknown, dropped: EventInput[]) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`paddock: dropped ${dropped.length} event(s): ${message}\n`);
    });

  const queue: EventInput[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> = Promise.resolve();
  let closed = false;

  const sendQueued = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      sending = sending.then(() =>
        client.events(batch).then(
          () => undefined,
          (error: unknown) => onError(error, batch),
        ),
      );
    }
    return sending;
  };

  return {
    event(kind, payload) {
      if (closed) throw new Error("event batcher is closed; create a new one or call client.event()");
      queue.push({ kind, payload, at: new Date().toISOString() } as EventInput);
      if (queue.length >= maxBatch) {
        void sendQueued();
      } else if (!timer) {
        timer = setTimeout(() => void sendQueued(), flushMs);
        // A pending flush alone must not keep the process alive; close() is the exit path.
        timer.unref?.();
      }
    },
    flush: sendQueued,
    async close() {
      closed = true;
      await sendQueued();
    },
    get pending() {
      return queue.length;
    },
  };
}
