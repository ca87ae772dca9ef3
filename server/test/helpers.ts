// Test helpers: users with sessions for createCaller, and a real app for supertest.
import { expect } from "vitest";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { AppError } from "../lib/errors";
import { createCaller } from "../trpc/root";
import { createContextInner } from "../trpc/context";
import { db } from "../lib/db";
import { registerUser } from "../domain/users";
import { createRun } from "../domain/runs/create";
import { hashToken, newToken } from "../lib/passwords";
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
 * A run as its agent sees it: created (and funded) by a new user, marked running, with a bridge
 * token. `auth` is the header the agent sends; `base` its PADDOCK_BRIDGE_URL path. It carries no
 * verifier unless a test sets one, so the agent's own report ends it.
 */
export async function makeLiveRun(opts: {
  agentId: string;
  goal?: string;
  credits?: number;
  targetValue?: number;
  status?: "running" | "booting" | "succeeded";
  verifier?: string;
}) {
  const user = await makeUser();
  const { id } = await createRun(
    db,
    user.id,
    {
      goal: opts.goal ?? "Test run",
      metric: "points",
      targetValue: opts.targetValue ?? 10,
      agentId: opts.agentId,
      durationMinutes: 60,
      credits: opts.credits ?? 100,
    },
    { defaultProvider: "local", availableProviders: ["local"], defaultIdleTimeoutMinutes: 15 },
  );
  const token = newToken("pdkrun");
  await db.run.update({
    where: { id },
    data: { status: opts.status ?? "running", startedAt: new Date(), tokenHash: hashToken(token), verifier: opts.verifier ?? null },
  });
  return { id, token, user, base: `/api/agent/v1/runs/${id}`, auth: { authorization: `Bearer ${token}` } };
}

/** "ok" if the call succeeds, else the code of the tRPC error it fails with. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "ok",
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

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

/**
 * Rate limits count per fixed minute: a test that counts requests up to a 429 waits out a minute
 * boundary that is less than `needMs` away, so its requests all fall in one window.
 */
export async function insideOneRateLimitWindow(needMs = 10_000): Promise<void> {
  const toBoundary = 60_000 - (Date.now() % 60_000);
  if (toBoundary < needMs) await new Promise((r) => setTimeout(r, toBoundary + 50));
}
