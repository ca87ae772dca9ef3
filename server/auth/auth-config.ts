// Auth.js (via @auth/express): email + password always; GitHub and Google when configured.
// Sessions are JWTs in the Auth.js cookie; every request re-reads the user from the database,
// so role changes and deletions take effect immediately.
import type { ExpressAuthConfig } from "@auth/express";
import Credentials from "@auth/express/providers/credentials";
import GitHub from "@auth/express/providers/github";
import Google from "@auth/express/providers/google";
import type { Adapter, AdapterUser } from "@auth/core/adapters";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { z } from "zod";
import type { Config } from "../config";
import type { Db } from "../lib/db";
import { authenticate, registerUser } from "../domain/users";
import { emailSchema } from "@shared/schemas";
import { CredentialsSignin } from "@auth/core/errors";
import { clearSignInFailures, recordSignInFailure, signInLockedFor } from "./sign-in-backoff";

const credentialsInput = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

/** Sign-ins refused by the per-account backoff; `code` reaches the client in the redirect URL. */
class AccountLocked extends CredentialsSignin {
  override code = "account_locked";
}

/** The Prisma adapter, with user creation routed through registerUser (ledger account + grant). */
function paddockAdapter(db: Db, cfg: Config): Adapter {
  // The adapter's types target the classic generated client; the runtime API is the same.
  const base = PrismaAdapter(db);
  return {
    ...base,
    async createUser(user: AdapterUser) {
      const created = await registerUser(db, {
        email: user.email.toLowerCase(),
        name: user.name?.trim() || user.email.split("@")[0] || "Paddock user",
        signupGrantCents: cfg.SIGNUP_GRANT_CENTS,
        adminEmail: cfg.ADMIN_EMAIL,
        emailVerified: user.emailVerified ?? null,
        image: user.image ?? null,
      });
      return { id: created.id, email: created.email, name: created.name, emailVerified: user.emailVerified ?? null };
    },
  };
}

export function createAuthConfig(db: Db, cfg: Config): ExpressAuthConfig {
  const providers: ExpressAuthConfig["providers"] = [
    Credentials({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) return null;
        const { email, password } = parsed.data;
        // Checked before the password, and for unknown emails alike, so a lock reveals nothing.
        if ((await signInLockedFor(email)) > 0) throw new AccountLocked();
        const user = await authenticate(db, email, password);
        if (!user) {
          await recordSignInFailure(email);
          return null;
        }
        await clearSignInFailures(email);
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ];
  if (cfg.AUTH_GITHUB_ID && cfg.AUTH_GITHUB_SECRET) {
    providers.push(GitHub({ clientId: cfg.AUTH_GITHUB_ID, clientSecret: cfg.AUTH_GITHUB_SECRET }));
  }
  if (cfg.AUTH_GOOGLE_ID && cfg.AUTH_GOOGLE_SECRET) {
    providers.push(Google({ clientId: cfg.AUTH_GOOGLE_ID, clientSecret: cfg.AUTH_GOOGLE_SECRET }));
  }
  return {
    secret: cfg.AUTH_SECRET,
    trustHost: true,
    basePath: "/api/auth",
    adapter: paddockAdapter(db, cfg),
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    useSecureCookies: cfg.PUBLIC_URL.startsWith("https://"),
    providers,
    pages: { signIn: "/signin" },
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub && session.user) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}

export function enabledOAuthProviders(cfg: Config): string[] {
  const out: string[] = [];
  if (cfg.AUTH_GITHUB_ID && cfg.AUTH_GITHUB_SECRET) out.push("github");
  if (cfg.AUTH_GOOGLE_ID && cfg.AUTH_GOOGLE_SECRET) out.push("google");
  return out;
}
