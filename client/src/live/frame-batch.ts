// Coalesces bursts of socket messages into one cache write per animation frame, so 50 progress
// updates a second cost the page one render per frame instead of fifty.
export function createFrameBatch<K, V>(apply: (batch: Map<K, V>) => void, merge: (prev: V | undefined, next: V) => V) {
  let pending = new Map<K, V>();
  let scheduled: number | undefined;
  const flush = () => {
    scheduled = undefined;
    const batch = pending;
    pending = new Map();
    if (batch.size > 0) apply(batch);
  };
  return {
    add(key: K, value: V) {
      pending.set(key, merge(pending.get(key), value));
      if (scheduled !== undefined) return;
      scheduled = document.hidden ? (setTimeout(flush, 250) as unknown as number) : requestAnimationFrame(flush);
    },
    cancel() {
      if (scheduled !== undefined) {
        cancelAnimationFrame(scheduled);
        clearTimeout(scheduled);
      }
      pending = new Map();
      scheduled = undefined;
    },
  };
}
