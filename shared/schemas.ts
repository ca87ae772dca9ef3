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

/**
 * The object schema, also accepting each field under the former name it is given here (see
 * FORMER_RUN_ID): what scripts and queued jobs wrote before runs were called runs keeps working.
 * The field's current name wins when both are given; errors name the current one.
 */
export function acceptFormerNames<T extends z.ZodObject>(schema: T, formerNames: Record<string, keyof z.input<T> & string>) {
  return z.preprocess((value: z.input<T>) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    const renamed: Record<string, unknown> = { ...value };
    for (const [former, current] of Object.entries(formerNames)) {
      if (!(former in renamed)) continue;
      if (renamed[current] === undefined) renamed[current] = renamed[former];
      delete renamed[former];
    }
    return renamed;
  }, schema);
}

/** Runs were called sandboxes: `sandboxId` is the former name of `runId`. */
export const FORMER_RUN_ID = { sandboxId: "runId" } as const; // former name
