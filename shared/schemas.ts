// Input schemas shared by the server (validation) and the client (forms).
import { z } from "zod";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("must be a valid email address").max(254));
export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(200, "must be at most 200 characters");
export const displayNameSchema = z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters");

export const signUpInput = z.object({ email: emailSchema, password: passwordSchema, name: displayNameSchema });
export type SignUpInput = z.infer<typeof signUpInput>;

/** The largest value of a PostgreSQL `integer` (Prisma `Int`) column: inputs bound for one stop here, with a 400. */
export const INT4_MAX = 2_147_483_647;

export const roles = ["member", "operator", "admin"] as const;
export type RoleName = (typeof roles)[number];

export const cursorPageInput = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
