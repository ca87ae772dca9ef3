// Group commit: the hot paths that write one row lock's worth per request (a bet on a pool, an
// external agent's claim or result) send the requests that arrive while their previous statement
// is in flight as ONE statement — one round trip, one commit and one WAL flush for the batch, and
// far fewer PostgreSQL backends woken. A lone request goes out at once, so batching adds no
// latency when idle; under load a batch is whatever queued during the last statement.
//
// Per process and in memory: correctness never depends on it, since every batched statement is
// as safe as its one-request form with other processes racing it. Used by bets
// (domain/betting/place-bet-sql.ts, bench:bets) and the agent API's claims and results
// (domain/tasks/claim-sql.ts, finish-sql.ts, bench:dispatch).
import { logger } from "./logger";

export interface GroupCommitOptions<T> {
  /** Most requests one statement carries; more wait for the next. */
  maxBatch: number;
  /**
   * At most one request per distinct value in a batch (a user's bets, an agent's claims): a
   * second one waits for the next batch, so one statement never decides two of them on one view.
   */
  distinctBy?: (item: T) => string;
  /**
   * Statements a lane may have in flight at once (default 1). Above 1 a request arriving while
   * one statement runs goes out in the next without waiting for it: batches are smaller, but a
   * request waits less. Only where concurrent statements of one lane cannot conflict (claims skip
   * one another's rows); bets on one pool queue on its row lock anyway.
   */
  inFlight?: number;
  /** Sends one lane's batch and answers each of its requests; must not throw. */
  run: (lane: string, batch: T[]) => Promise<void>;
}

/** Returns `submit(lane, item)`: lanes are independent (a pool, a workspace) and drain one statement at a time. */
export function groupCommit<T>(options: GroupCommitOptions<T>): (lane: string, item: T) => void {
  const lanes = new Map<string, { queue: T[]; active: number }>();
  const inFlight = options.inFlight ?? 1;

  function take(queue: T[]): T[] {
    const seen = new Set<string>();
    const batch: T[] = [];
    const rest: T[] = [];
    for (const item of queue) {
      const key = options.distinctBy?.(item);
      if (batch.length < options.maxBatch && (key === undefined || !seen.has(key))) {
        if (key !== undefined) seen.add(key);
        batch.push(item);
      } else rest.push(item);
    }
    queue.splice(0, queue.length, ...rest);
    return batch;
  }

  async function drain(name: string, lane: { queue: T[]; active: number }): Promise<void> {
    try {
      while (lane.queue.length > 0) await options.run(name, take(lane.queue));
    } catch (err) {
      // run() answers its own requests; reaching here is a bug, not a database error.
      logger.error({ err, lane: name }, "a group-commit batch threw");
    } finally {
      lane.active -= 1;
      if (lane.active === 0 && lanes.get(name) === lane) lanes.delete(name);
    }
  }

  return (name, item) => {
    let lane = lanes.get(name);
    if (!lane) {
      lane = { queue: [], active: 0 };
      lanes.set(name, lane);
    }
    lane.queue.push(item);
    if (lane.active < inFlight) {
      lane.active += 1;
      void drain(name, lane);
    }
  };
}

/** A deadlock (40P01) or serialization failure (40001) rolled the whole statement back: it is safe to send again. */
export function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === "40P01" || code === "40001";
}

/** Runs `send` again after a transient conflict, at most `tries` times in all. */
export async function retryTransient<R>(tries: number, send: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (isTransientConflict(err) && attempt < tries) continue;
      throw err;
    }
  }
}

/**
 * Sends a batch and answers it; if the statement fails (not a transient conflict, which `send`
 * retries), each request is sent again alone, so one request the database refuses (a text it
 * cannot store, a row deleted meanwhile) fails only itself. A request alone that fails is rejected.
 */
export async function settleEach<T extends { reject(err: unknown): void }>(batch: T[], send: (batch: T[]) => Promise<void>): Promise<void> {
  try {
    await send(batch);
  } catch (err) {
    if (batch.length === 1) return batch[0]!.reject(err);
    for (const item of batch) await settleEach([item], send);
  }
}
