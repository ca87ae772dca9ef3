// Admits at most a few placeBet calls per pool at a time from this API process; the rest wait
// here, in a FIFO, instead of inside Postgres. Every bet on a pool queues on its row lock anyway,
// and dozens of backends queued on one row lock hand it over more slowly than two (measured on
// a busy 2-core box, 50 concurrent bettors on one pool: 1.3–1.6× the bets/s of no gate).
// Correctness never depends on this: it is per process, in memory, and lost on restart by design.
const IN_FLIGHT_PER_POOL = 2;

interface Gate {
  active: number;
  waiting: (() => void)[];
}

const gates = new Map<string, Gate>();

export async function throughPoolGate<T>(key: string, fn: () => Promise<T>): Promise<T> {
  let gate = gates.get(key);
  if (!gate) {
    gate = { active: 0, waiting: [] };
    gates.set(key, gate);
  }
  if (gate.active >= IN_FLIGHT_PER_POOL) await new Promise<void>((resolve) => gate!.waiting.push(resolve));
  else gate.active += 1;
  try {
    return await fn();
  } finally {
    const next = gate.waiting.shift();
    // The slot passes straight to the next waiter; an idle gate is forgotten.
    if (next) next();
    else if (--gate.active === 0) gates.delete(key);
  }
}
