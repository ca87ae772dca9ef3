// The one place tRPC is initialized. Routers import only what is exported here.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { AppError, appErrorCodes } from "../lib/errors";
import type { Context } from "./context";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const zodError = cause instanceof ZodError ? z.flattenError(cause) : null;
    const app = cause instanceof AppError ? cause : null;
    // An unexpected failure's own text (SQL, Prisma, a stack's first line) is for the log, which
    // has it in full (app.ts onError), never for the caller.
    let message =
      error.code === "INTERNAL_SERVER_ERROR" && !app
        ? `something went wrong on our side and it has been logged${ctx?.requestId ? ` (request ${ctx.requestId})` : ""}; try again`
        : shape.message;
    if (zodError) {
      // One readable line naming each failing field, e.g. "password: must be at least 8 characters".
      const parts = Object.entries(zodError.fieldErrors).map(([field, msgs]) => `${field}: ${(msgs as string[])[0]}`);
      message = [...zodError.formErrors, ...parts].join("; ") || message;
    }
    return {
      ...shape,
      message,
      data: {
        ...shape.data,
        zodError,
        appCode: app?.code ?? null,
        field: app?.field ?? (zodError ? (Object.keys(zodError.fieldErrors)[0] ?? null) : null),
        stack: undefined,
      },
    };
  },
});

/**
 * Converts domain AppErrors into TRPCErrors with the matching code: the one place it happens.
 * Every procedure's outermost middleware applies it. (Unexpected failures are logged once, by the
 * HTTP handler's onError in app.ts, which also sees failures outside procedures.)
 */
function mapAppErrors<R extends { ok: boolean; error?: TRPCError }>(result: R): R {
  const cause = result.ok ? undefined : result.error?.cause;
  if (cause instanceof AppError) {
    throw new TRPCError({ code: appErrorCodes[cause.code].trpc, message: cause.message, cause });
  }
  return result;
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(async ({ next }) => mapAppErrors(await next()));

// Sign-in check and error mapping in one middleware: each middleware level costs the call a copy
// of its options, and every signed-in call passes through this one.
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  // tRPC merges this into the context; only the narrowed field is passed (no copy of the rest).
  return mapAppErrors(await next({ ctx: { user: ctx.user } }));
});

export const operatorProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "operator" && ctx.user.role !== "admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "operators only" });
  }
  return next();
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "admins only" });
  return next();
});
