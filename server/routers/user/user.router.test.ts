import { describe, expect, it, vi } from "vitest";
import request from "supertest";
import { encode } from "@auth/core/jwt";

vi.hoisted(() => {
  process.env.ADMIN_EMAIL = "Boss@Example.com";
});

const { createApp } = await import("../../app");
const { db } = await import("../../lib/db");
const { anonymousCaller, makeUser } = await import("../../test/helpers");
const { checkLedger } = await import("../../domain/ledger");
const { config } = await import("../../config");
const { tokenCacheListening } = await import("../../auth/token-cache");
const { promoteAdminEmail } = await import("../../domain/users");
const { MAX_FAILURES } = await import("../../auth/sign-in-backoff");

const app = createApp();

/** Signs in through Auth.js's own credentials flow and returns the session cookie. */
async function signIn(email: string, password: string) {
  const agent = request.agent(app);
  const csrf = await agent.get("/api/auth/csrf").expect(200);
  const res = await agent
    .post("/api/auth/callback/credentials")
    .type("form")
    .send({ csrfToken: csrf.body.csrfToken, email, password, json: "true" });
  return { agent, res };
}

/** The session cookie Auth.js would set for this user after a sign-in. */
async function sessionCookie(userId: string) {
  return `authjs.session-token=${await encode({ token: { sub: userId }, secret: config.AUTH_SECRET, salt: "authjs.session-token" })}`;
}

function trpcError(res: request.Response) {
  return res.body.error?.json ?? res.body[0]?.error?.json;
}

describe("user.signUp", () => {
  it("creates the account with the signup grant; even the first account on an empty database is a member", async () => {
    expect(await db.user.count()).toBe(0);
    const first = await request(app)
      .post("/trpc/user.signUp")
      .send({ json: { email: "Ada@Example.com", password: "correct horse", name: "Ada" } });
    expect(first.status).toBe(200);
    expect(first.body.result.data.json).toMatchObject({ email: "ada@example.com", name: "Ada", role: "member" });
    const second = await anonymousCaller().user.signUp({ email: "bob@example.com", password: "correct horse", name: "Bob" });
    expect(second.role).toBe("member");
    const balance = await db.ledgerAccount.findUnique({ where: { userId: second.id }, select: { balance: true } });
    expect(balance?.balance).toBe(100_000n);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("never stores or returns the password", async () => {
    const caller = anonymousCaller();
    const u = await caller.user.signUp({ email: "secret@example.com", password: "hunter2hunter2", name: "S" });
    expect(JSON.stringify(u)).not.toContain("hunter2");
    const row = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain("hunter2");
  });

  it.each([
    [{ email: "not-an-email", password: "long enough", name: "X" }, "email", /email: must be a valid email address/],
    [{ email: "short@example.com", password: "short", name: "X" }, "password", /password: must be at least 8 characters/],
    [{ email: "noname@example.com", password: "long enough", name: "  " }, "name", /name: must not be empty/],
  ])("rejects bad input over HTTP with a 400 naming the field (%#)", async (input, field, message) => {
    const before = await db.user.count();
    const res = await request(app).post("/trpc/user.signUp").send({ json: input });
    expect(res.status).toBe(400);
    const err = trpcError(res);
    expect(err.data.field).toBe(field);
    expect(err.data.zodError.fieldErrors[field]).toBeDefined();
    expect(err.message).toMatch(message);
    expect(await db.user.count()).toBe(before);
  });

  it("rejects a taken email with a 409 naming the field and writes nothing", async () => {
    await anonymousCaller().user.signUp({ email: "taken@example.com", password: "long enough", name: "T" });
    const [users, transfers] = [await db.user.count(), await db.ledgerTransfer.count()];
    const res = await request(app)
      .post("/trpc/user.signUp")
      .send({ json: { email: "TAKEN@example.com", password: "long enough", name: "T2" } });
    expect(res.status).toBe(409);
    expect(trpcError(res)).toMatchObject({
      message: expect.stringMatching(/already registered/),
      data: { field: "email", appCode: "CONFLICT" },
    });
    expect(await db.user.count()).toBe(users);
    expect(await db.ledgerTransfer.count()).toBe(transfers);
  });
});

describe("ADMIN_EMAIL", () => {
  it("makes that account admin when it signs up, and at boot if it signed up before the setting", async () => {
    expect(config.ADMIN_EMAIL).toBe("boss@example.com");
    const boss = await anonymousCaller().user.signUp({ email: "BOSS@example.com", password: "correct horse", name: "Boss" });
    expect(boss.role).toBe("admin");
    const other = await anonymousCaller().user.signUp({ email: "not-boss@example.com", password: "correct horse", name: "Other" });
    expect(other.role).toBe("member");
    // An existing account named by the setting later: promoted once, at boot.
    expect(await promoteAdminEmail(db, "not-boss@example.com")).toBe(true);
    expect((await db.user.findUniqueOrThrow({ where: { id: other.id } })).role).toBe("admin");
    expect(await promoteAdminEmail(db, "not-boss@example.com")).toBe(false);
    expect(await promoteAdminEmail(db, "nobody@example.com")).toBe(false);
  });
});

describe("session cookies", () => {
  /** A session cookie for `userId` sealed with `secret`, exactly as Auth.js seals its own. */
  const forge = async (userId: string, secret: string) =>
    `authjs.session-token=${await encode({ token: { sub: userId, name: "x", email: "x@example.com" }, secret, salt: "authjs.session-token" })}`;

  it("one forged with the old development secret, or any other fixed secret, does not sign in", async () => {
    const victim = await makeUser({ role: "admin" });
    for (const secret of ["paddock-development-secret-do-not-use-in-production", "secret", "changeme-changeme-changeme-changeme"]) {
      const res = await request(app)
        .get("/trpc/user.me")
        .set("cookie", await forge(victim.id, secret));
      expect(res.status).toBe(401);
    }
    // The same forgery with this installation's own secret is accepted: the cookie above was well made.
    const own = await request(app)
      .get("/trpc/user.me")
      .set("cookie", await forge(victim.id, config.AUTH_SECRET));
    expect(own.status).toBe(200);
    expect(own.body.result.data.json.id).toBe(victim.id);
  });
});

describe("sign-in backoff", () => {
  it(`refuses an account's sign-ins after ${MAX_FAILURES} wrong passwords, even the right one, and only that account's`, async () => {
    await anonymousCaller().user.signUp({ email: "erin@example.com", password: "correct horse", name: "Erin" });
    await anonymousCaller().user.signUp({ email: "frank@example.com", password: "correct horse", name: "Frank" });
    // Failures below the maximum are forgotten by a successful sign-in.
    for (let i = 0; i < MAX_FAILURES - 1; i++) await signIn("erin@example.com", "wrong password");
    expect((await (await signIn("erin@example.com", "correct horse")).agent.get("/trpc/user.me")).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES; i++) await signIn("erin@example.com", "wrong password");
    const locked = await signIn("erin@example.com", "correct horse");
    expect(String(locked.res.headers.location ?? locked.res.body?.url)).toMatch(/code=account_locked/);
    expect((await locked.agent.get("/trpc/user.me")).status).toBe(401);
    // Another account is not affected.
    expect((await (await signIn("frank@example.com", "correct horse")).agent.get("/trpc/user.me")).status).toBe(200);
  });
});

describe("sign-in and sessions", () => {
  it("signs in through Auth.js credentials and calls protected procedures with the cookie", async () => {
    await anonymousCaller().user.signUp({ email: "carol@example.com", password: "correct horse", name: "Carol" });
    const { agent, res } = await signIn("carol@example.com", "correct horse");
    expect(res.status).toBeLessThan(400);
    expect(String(res.headers["set-cookie"])).toMatch(/authjs\.session-token=/);
    const me = await agent.get("/trpc/user.me").expect(200);
    expect(me.body.result.data.json).toMatchObject({ email: "carol@example.com", name: "Carol", balance: 100_000 });
  });

  it("does not sign in with a wrong password", async () => {
    await anonymousCaller().user.signUp({ email: "dave@example.com", password: "correct horse", name: "Dave" });
    const { agent } = await signIn("dave@example.com", "wrong password");
    const me = await agent.get("/trpc/user.me");
    expect(me.status).toBe(401);
  });

  it("refuses anonymous calls to protected procedures", async () => {
    const res = await request(app).get("/trpc/user.me");
    expect(res.status).toBe(401);
    await expect(anonymousCaller().user.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("API tokens", () => {
  it("authenticates with a bearer token until it is revoked", async () => {
    const u = await makeUser();
    const { token, id } = await u.caller.user.createApiToken({ name: "cli" });
    expect(token).toMatch(/^pdk_/);
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).not.toBe(token);
    const me = await request(app).get("/trpc/user.me").set("authorization", `Bearer ${token}`).expect(200);
    expect(me.body.result.data.json.id).toBe(u.id);
    const listed = await u.caller.user.apiTokens();
    expect(JSON.stringify(listed)).not.toContain(token);
    await u.caller.user.revokeApiToken({ id });
    await request(app).get("/trpc/user.me").set("authorization", `Bearer ${token}`).expect(401);
    await request(app).get("/trpc/user.me").set("authorization", "Bearer pdk_madeup").expect(401);
  });

  it("expires after expiresInDays, also in a process that remembers the token", async () => {
    const u = await makeUser();
    const created = await u.caller.user.createApiToken({ name: "ci", expiresInDays: 30 });
    expect(created.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await u.caller.user.apiTokens()).find((t) => t.id === created.id)?.expiresAt).toEqual(created.expiresAt);
    await tokenCacheListening();
    // Due a few seconds from now: well inside the time this process remembers a token.
    const expiresAt = new Date(Date.now() + 3_000);
    await db.apiToken.update({ where: { id: created.id }, data: { expiresAt } });
    await request(app).get("/trpc/user.me").set("authorization", `Bearer ${created.token}`).expect(200);
    vi.useFakeTimers({ toFake: ["Date"], now: expiresAt.getTime() + 1 });
    try {
      await request(app).get("/trpc/user.me").set("authorization", `Bearer ${created.token}`).expect(401);
    } finally {
      vi.useRealTimers();
    }
    // One that expired before it was ever used is refused too.
    const old = await u.caller.user.createApiToken({ name: "old", expiresInDays: 1 });
    await db.apiToken.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await request(app).get("/trpc/user.me").set("authorization", `Bearer ${old.token}`).expect(401);
  });

  it.each([[0], [1.5], [100_000]])("refuses expiresInDays %s with a 400 naming the field", async (days) => {
    const u = await makeUser();
    const before = await db.apiToken.count();
    await expect(u.caller.user.createApiToken({ name: "bad", expiresInDays: days })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const res = await request(app)
      .post("/trpc/user.createApiToken")
      .set("cookie", await sessionCookie(u.id))
      .send({ json: { name: "bad", expiresInDays: days } });
    expect(res.status).toBe(400);
    expect(trpcError(res).data.field).toBe("expiresInDays");
    expect(await db.apiToken.count()).toBe(before);
  });

  it("a request authenticated by an API token cannot create tokens", async () => {
    const u = await makeUser();
    const { token } = await u.caller.user.createApiToken({ name: "script" });
    const before = await db.apiToken.count({ where: { userId: u.id } });
    const res = await request(app)
      .post("/trpc/user.createApiToken")
      .set("authorization", `Bearer ${token}`)
      .send({ json: { name: "successor" } });
    expect(res.status).toBe(403);
    expect(trpcError(res)).toMatchObject({
      message: expect.stringMatching(/API token cannot create API tokens/),
      data: { code: "FORBIDDEN" },
    });
    expect(await db.apiToken.count({ where: { userId: u.id } })).toBe(before);
    // The same user, signed in with a session, can.
    const ok = await request(app)
      .post("/trpc/user.createApiToken")
      .set("cookie", await sessionCookie(u.id))
      .send({ json: { name: "successor" } });
    expect(ok.status).toBe(200);
  });

  it("cannot revoke another user's token", async () => {
    const a = await makeUser();
    const b = await makeUser();
    const { id } = await a.caller.user.createApiToken({ name: "mine" });
    await expect(b.caller.user.revokeApiToken({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("roles", () => {
  it("lets admins list users and set roles; members get 403", async () => {
    const admin = await makeUser({ role: "admin" });
    const member = await makeUser({ role: "member" });
    await expect(member.caller.user.list({ limit: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(member.caller.user.setRole({ userId: member.id, role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const updated = await admin.caller.user.setRole({ userId: member.id, role: "operator" });
    expect(updated.role).toBe("operator");
    const page = await admin.caller.user.list({ limit: 100 });
    expect(page.items.find((u) => u.id === member.id)?.role).toBe("operator");
    await expect(admin.caller.user.setRole({ userId: "nope", role: "member" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("ledger history", () => {
  it("pages through the user's own entries, newest first", async () => {
    const u = await makeUser({ grant: 5_000 });
    const page = await u.caller.user.ledger({ limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ amount: 5_000, kind: "signup_grant" });
    await expect(u.caller.user.ledger({ limit: 10, cursor: "abc" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("health", () => {
  it("reports Postgres and Redis", async () => {
    const res = await request(app).get("/api/health").expect(200);
    expect(res.body).toEqual({ status: "ok", checks: { postgres: "ok", redis: "ok" } });
    expect(res.headers["x-request-id"]).toBeTruthy();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});
