// Limits of the tRPC endpoint that the client's links must respect.

/** Calls one batch may hold: the server refuses a longer batch whole (400). */
export const TRPC_MAX_BATCH_CALLS = 20;
