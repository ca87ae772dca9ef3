// Reading errors thrown by tRPC calls: a readable message, and which form field failed.
import { TRPCClientError } from "@trpc/client";

interface ErrorData {
  code?: string;
  httpStatus?: number;
  field?: string | null;
  appCode?: string | null;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
}

function dataOf(error: unknown): ErrorData | undefined {
  if (error instanceof TRPCClientError) return (error.data ?? undefined) as ErrorData | undefined;
  return undefined;
}

export function errorMessage(error: unknown): string {
  if (!error) return "";
  if (error instanceof TRPCClientError) {
    if (error.message === "Failed to fetch" || /NetworkError|fetch failed/i.test(error.message)) {
      return "Paddock is unreachable right now; check your connection and try again.";
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  // Anything else thrown would read "[object Object]"; only a thrown string says something.
  return typeof error === "string" ? error : "Something went wrong.";
}

export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

/** The server's own error code (AppError), e.g. PLAN_LIMIT, INSUFFICIENT_FUNDS. */
export function appErrorCode(error: unknown): string | undefined {
  return dataOf(error)?.appCode ?? undefined;
}

export function isUnauthorized(error: unknown): boolean {
  return errorCode(error) === "UNAUTHORIZED";
}

/**
 * Field → message for a form: every zod field error, plus the domain error's `field` (e.g.
 * "email is already registered" on `email`). Messages are prefixed-free ("must be …").
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const data = dataOf(error);
  const out: Record<string, string> = {};
  if (!data) return out;
  for (const [field, messages] of Object.entries(data.zodError?.fieldErrors ?? {})) {
    if (messages?.[0]) out[field] = messages[0];
  }
  if (data.field && !out[data.field] && error instanceof Error) out[data.field] = error.message;
  return out;
}

/** The message to show above the form: anything not attributable to a field. */
export function formError(error: unknown): string | undefined {
  if (!error) return undefined;
  const data = dataOf(error);
  if (data?.zodError && Object.keys(data.zodError.fieldErrors).length > 0) {
    return data.zodError.formErrors[0];
  }
  if (data?.field) return undefined;
  return errorMessage(error);
}
