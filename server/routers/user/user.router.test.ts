import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../../app";
import { db } from "../../lib/db";
import { anonymousCaller, makeUser } from "../../test/helpers";
import { checkLedger } from "../../domain/ledger";

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

function trpcError(res: request.Response) {
  return res.body.error?.json ?? res.body[0]?.error?.json;
}

describe("user.signUp", () => {
  it("creates the account with the signup grant; the first user is admin", async () => {
    const caller = anonymousCaller();
    const first = await caller.user.signUp({ email: "Ada@Example.com", password: "correct horse", name: "Ada" });
    expect(first).toMatchObject({ email: "ada@example.com", name: "Ada", role: "admin" });
    const second = await caller.user.signUp({ email: "bob@example.com", password: "correct horse", name: "Bob" });
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
    const res = await request(app).post("/trpc/user.signUp").send({ json: { email: "TAKEN@example.com", password: "long enough", name: "T2" } });
    expect(res.status).toBe(409);
    expect(trpcError(res)).toMatchObject({ message: expect.stringMatching(/already registered/), data: { field: "email", appCode: "CONFLICT" } });
    expect(await db.user.count()).toBe(users);
    expect(await db.ledgerTransfer.count()).toBe(transfers);
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
