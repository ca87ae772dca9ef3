// A timer that ends early when the signal aborts, so an agent told to stop (SIGTERM) does not
// sit out its full pause first. Rejects with the signal's reason on abort.
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  // abort() with no reason gives a DOMException (an Error); the agent aborts with Errors.
  const reason = () => signal?.reason as Error;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(reason());
    const onAbort = () => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
