// The one error type domain code throws. Transports convert it in one place each:
// tRPC in server/trpc/init.ts, plain HTTP in server/lib/http-errors.ts.
export const appErrorCodes = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  INSUFFICIENT_FUNDS: { http: 409, trpc: "PRECONDITION_FAILED" },
  /** A task's attempt has used the LLM tokens its agent's per-task budget allows (agents.taskTokenBudget). */
  TOKEN_BUDGET_EXCEEDED: { http: 409, trpc: "PRECONDITION_FAILED" },
  INVALID_TRANSITION: { http: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  RATE_LIMITED: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  UNAVAILABLE: { http: 503, trpc: "INTERNAL_SERVER_ERROR" },
  /** A feature this Paddock has not been set up for (billing without STRIPE_SECRET_KEY). */
  NOT_CONFIGURED: { http: 501, trpc: "NOT_IMPLEMENTED" },
  /** The workspace's plan allows no more of this (shared/billing.ts); the message names the limit and where to upgrade. */
  PLAN_LIMIT: { http: 402, trpc: "FORBIDDEN" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** The input field the error is about, when there is one. */
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.details !== undefined) this.details = opts.details;
  }

  get httpStatus(): number {
    return appErrorCodes[this.code].http;
  }
}
