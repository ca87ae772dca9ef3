import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure, publicProcedure } from "../../trpc/init";
import { signUpInput, cursorPageInput, roles } from "@shared/schemas";
import { config } from "../../config";
import { db } from "../../lib/db";
import {
  createApiToken,
  getUserWithBalance,
  ledgerHistory,
  listApiTokens,
  listUsers,
  registerUser,
  revokeApiToken,
  setRole,
} from "../../domain/users";
import { forgetTokenUsers } from "../../auth/token-cache";

const idInput = z.object({ id: z.string().min(1).max(64) });

export const userRouter = createTRPCRouter({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ input }) => {
    const user = await registerUser(db, { ...input, signupGrantCents: config.SIGNUP_GRANT_CENTS, adminEmail: config.ADMIN_EMAIL });
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const u = await getUserWithBalance(db, ctx.user.id);
    return { id: u.id, email: u.email, name: u.name, role: u.role, balance: u.balance };
  }),

  apiTokens: protectedProcedure.query(({ ctx }) => listApiTokens(db, ctx.user.id)),

  createApiToken: protectedProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
        expiresInDays: z
          .number()
          .int("must be a whole number of days")
          .min(1, "must be at least 1")
          .max(3650, "must be at most 3650")
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      createApiToken(db, ctx.user.id, input.name, { expiresInDays: input.expiresInDays, calledWithApiToken: ctx.user.viaApiToken }),
    ),

  revokeApiToken: protectedProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    const revoked = await revokeApiToken(db, ctx.user.id, input.id);
    await forgetTokenUsers();
    return revoked;
  }),

  ledger: protectedProcedure
    .input(
      cursorPageInput.extend({
        cursor: z
          .string()
          .regex(/^\d{1,18}$/, "must be a cursor returned by a previous page")
          .optional(),
      }),
    )
    .query(({ ctx, input }) => ledgerHistory(db, ctx.user.id, input)),

  list: adminProcedure.input(cursorPageInput).query(({ input }) => listUsers(db, input)),

  setRole: adminProcedure.input(z.object({ userId: z.string().min(1).max(64), role: z.enum(roles) })).mutation(async ({ ctx, input }) => {
    const user = await setRole(db, ctx.user.id, input.userId, input.role);
    await forgetTokenUsers();
    return user;
  }),
});
