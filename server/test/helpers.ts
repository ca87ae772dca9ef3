// Test helpers: users with sessions for createCaller, and a real app for supertest.
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

/**
 * Rate limits count per fixed minute: a test that counts requests up to a 429 waits out a minute
 * boundary that is less than `needMs` away, so its requests all fall in one window.
 */
export async function insideOneRateLimitWindow(needMs = 10_000): Promise<void> {
  const toBoundary = 60_000 - (Date.now() % 60_000);
  if (toBoundary < needMs) await new Promise((r) => setTimeout(r, toBoundary + 50));
}
