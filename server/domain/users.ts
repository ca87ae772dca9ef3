// Accounts: registration (with the signup grant), API tokens, roles.
import { AppError } from "../lib/errors";
import { Prisma, type Db } from "../lib/db";
import { hashPassword, hashToken, newToken, verifyPassword } from "../lib/passwords";
import { MINT_SIGNUP, transfer, userAccountKey } from "./ledger";
import { createPersonalWorkspace } from "./workspaces/personal";
import type { Role } from "../generated/prisma/enums";

export const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

export type PublicUser = Prisma.UserGetPayload<{ select: typeof userSelect }>;

export interface RegisterUserInput {
  email: string;
  name: string;
  /** Omitted for OAuth users. */
  password?: string;
  signupGrantCents: number;
  emailVerified?: Date | null;
  image?: string | null;
  /**
   * ADMIN_EMAIL: the account with this email is created admin. Nobody else is, whatever the
   * order of sign-ups — a public form must not hand out admin to whoever is first.
   */
  adminEmail?: string | undefined;
  /** Set only by local tooling (the demo seed, tests); the sign-up paths never pass it. */
  role?: Role;
}

/** Creates a user, their ledger account, the signup grant and their personal workspace in one transaction. */
export async function registerUser(db: Db, input: RegisterUserInput): Promise<PublicUser> {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const role: Role = input.adminEmail !== undefined && input.email === input.adminEmail ? "admin" : (input.role ?? "member");
  try {
    return await db.$transaction(async (tx) => {
      const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
      if (existing) throw emailTaken();
      const user = await tx.user.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          role,
          emailVerified: input.emailVerified ?? null,
          image: input.image ?? null,
        },
        select: userSelect,
      });
      await tx.ledgerAccount.create({ data: { key: userAccountKey(user.id), kind: "user", userId: user.id } });
      await createPersonalWorkspace(tx, user.id);
      if (input.signupGrantCents > 0) {
        await transfer(tx, {
          from: MINT_SIGNUP,
          to: userAccountKey(user.id),
          amount: input.signupGrantCents,
          kind: "signup_grant",
          idempotencyKey: `signup:${user.id}`,
          memo: "Welcome to Paddock",
        });
      }
      return user;
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") throw emailTaken();
    throw e;
  }
}

function emailTaken() {
  return new AppError("CONFLICT", "email is already registered; sign in instead", { field: "email" });
}

/** Checks an email + password pair; null when either is wrong (never says which). */
export async function authenticate(db: Db, email: string, password: string): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { email }, select: { ...userSelect, passwordHash: true } });
  if (!user?.passwordHash) {
    // Spend similar time as a real check so response timing doesn't reveal which emails exist.
    await verifyPassword(password, "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

export async function getUserWithBalance(db: Db, userId: string) {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { ...userSelect, ledgerAccount: { select: { balance: true } } },
  });
  if (!user) throw new AppError("NOT_FOUND", "user not found");
  const { ledgerAccount, ...rest } = user;
  return { ...rest, balance: Number(ledgerAccount?.balance ?? 0n) };
}

/**
 * The account named by ADMIN_EMAIL is admin: run at boot, for an account that signed up before
 * the setting was made. Returns whether it changed anything.
 */
export async function promoteAdminEmail(db: Db, email: string): Promise<boolean> {
  const { count } = await db.user.updateMany({ where: { email, role: { not: "admin" } }, data: { role: "admin" } });
  return count > 0;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateApiTokenOptions {
  /** Days the token stays valid; without it, until revoked. */
  expiresInDays?: number | undefined;
  /** The request creating it was itself authenticated by an API token. */
  calledWithApiToken?: boolean | undefined;
}

export async function createApiToken(db: Db, userId: string, name: string, opts: CreateApiTokenOptions = {}) {
  // A leaked token must not be able to outlive its revocation by minting successors.
  if (opts.calledWithApiToken) {
    throw new AppError("FORBIDDEN", "an API token cannot create API tokens; sign in to Paddock and create it on your account page");
  }
  const token = newToken("pdk");
  const expiresAt = opts.expiresInDays === undefined ? null : new Date(Date.now() + opts.expiresInDays * DAY_MS);
  const row = await db.apiToken.create({
    data: { userId, name, tokenHash: hashToken(token), prefix: token.slice(0, 8), expiresAt },
    select: { id: true, name: true, prefix: true, createdAt: true, expiresAt: true },
  });
  return { ...row, token };
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string) {
  const result = await db.apiToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (result.count === 0) throw new AppError("NOT_FOUND", "no active API token with that id", { field: "id" });
  return { id: tokenId, revoked: true };
}

export async function listApiTokens(db: Db, userId: string) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true },
  });
}

export async function setRole(db: Db, actorId: string, userId: string, role: Role) {
  if (actorId === userId && role !== "admin") {
    throw new AppError("BAD_REQUEST", "admins cannot remove their own admin role", { field: "userId" });
  }
  const user = await db.user.update({ where: { id: userId }, data: { role }, select: userSelect }).catch((e: unknown) => {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2025") {
      throw new AppError("NOT_FOUND", "no user with that id", { field: "userId" });
    }
    throw e;
  });
  return user;
}

export async function listUsers(db: Db, opts: { cursor?: string; limit: number }) {
  const rows = await db.user.findMany({
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    orderBy: { id: "asc" },
    select: { ...userSelect, ledgerAccount: { select: { balance: true } } },
  });
  const page = rows.slice(0, opts.limit).map(({ ledgerAccount, ...u }) => ({ ...u, balance: Number(ledgerAccount?.balance ?? 0n) }));
  return { items: page, nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null };
}

export async function ledgerHistory(db: Db, userId: string, opts: { cursor?: string; limit: number }) {
  const account = await db.ledgerAccount.findUnique({ where: { userId }, select: { id: true } });
  if (!account) return { items: [], nextCursor: null };
  const cursor = opts.cursor ? BigInt(opts.cursor) : undefined;
  const rows = await db.ledgerEntry.findMany({
    where: { accountId: account.id, ...(cursor !== undefined ? { id: { lt: cursor } } : {}) },
    orderBy: { id: "desc" },
    take: opts.limit + 1,
    select: {
      id: true,
      amount: true,
      createdAt: true,
      transfer: { select: { id: true, kind: true, memo: true } },
    },
  });
  const items = rows.slice(0, opts.limit).map((r) => ({
    id: r.id.toString(),
    amount: Number(r.amount),
    createdAt: r.createdAt,
    kind: r.transfer.kind,
    memo: r.transfer.memo,
    transferId: r.transfer.id,
  }));
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1]!.id : null };
}
