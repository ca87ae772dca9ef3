// Test helpers: users with sessions for createCaller, and a real app for supertest.
import { expect } from "vitest";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { AppError } from "../lib/errors";
import { createCaller } from "../trpc/root";
import { createContextInner } from "../trpc/context";
import { db } from "../lib/db";
import { registerUser } from "../domain/users";
import type { Role } from "../generated/prisma/enums";

let n = 0;
export async function makeUser(opts: { role?: Role; grant?: number; email?: string; name?: string } = {}) {
  n += 1;
  const email = opts.email ?? `user${n}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const user = await registerUser(db, {
    email,
    name: opts.name ?? `User ${n}`,
    password: "correct horse battery",
    signupGrantCents: opts.grant ?? 100_000,
  });
  if (opts.role && user.role !== opts.role) await db.user.update({ where: { id: user.id }, data: { role: opts.role } });
  const role = opts.role ?? user.role;
  return { ...user, role, caller: createCaller(createContextInner({ user: { id: user.id, role } })) };
}

export const anonymousCaller = () => createCaller(createContextInner({ user: null }));

/** The tRPC error a call fails with: its code, message, and the field an AppError or zod names. */
export async function rejection(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  const cause = (err as TRPCError).cause;
  const field = cause instanceof AppError ? cause.field : cause instanceof ZodError ? cause.issues[0]?.path.join(".") : undefined;
  return { code: (err as TRPCError).code, message: (err as TRPCError).message, field };
}
