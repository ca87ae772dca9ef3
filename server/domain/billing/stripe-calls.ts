// Stripe API calls made on a user's behalf: a failure becomes an AppError the caller can read, and
// the SDK's own text (which may name Paddock's account or request) goes to the log, not the user.
import Stripe from "stripe";
import { AppError } from "../../lib/errors";
import { logger } from "../../lib/logger";

export async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!(e instanceof Stripe.errors.StripeError)) throw e;
    logger.warn({ err: e, type: e.type, code: e.code, requestId: e.requestId }, "Stripe request failed");
    if (e instanceof Stripe.errors.StripeConnectionError || e instanceof Stripe.errors.StripeAPIError) {
      throw new AppError("UNAVAILABLE", "Stripe could not be reached; try again in a minute", { cause: e });
    }
    if (e instanceof Stripe.errors.StripeRateLimitError) {
      throw new AppError("RATE_LIMITED", "Stripe is busy; try again in a minute", { cause: e });
    }
    throw new AppError("UNAVAILABLE", "Stripe refused the request (the operator can find why in Paddock's log)", { cause: e });
  }
}

/** The id of an expandable Stripe reference (an id, or the object when expanded). */
export const idOf = (ref: string | { id: string } | null | undefined): string | null => (typeof ref === "string" ? ref : (ref?.id ?? null));
