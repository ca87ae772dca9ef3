import { describe, expect, it, vi } from "vitest";
import request from "supertest";

vi.hoisted(() => {
  process.env.RATE_LIMIT_WRITE_PER_MINUTE = "3";
  process.env.RATE_LIMIT_AUTH_PER_MINUTE = "2";
  process.env.RATE_LIMIT_READ_PER_MINUTE = "30";
});

const { createApp } = await import("../app");
const { redis, redisKey } = await import("./redis");
const { db } = await import("./db");
const { insideOneRateLimitWindow, makeUser } = await import("../test/helpers");
const { createApiToken } = await import("../domain/users");
const { checkLedger } = await import("../domain/ledger");
const { config } = await import("../config");

async function tokenUser() {
  const u = await makeUser();
  return { ...u, token: (await createApiToken(db, u.id, "rate limit test")).token };
}

const signUpBody = (i: number) => ({ json: { email: `rl${i}@example.com`, password: "long enough", name: "R" } });
/** One POST carrying `n` user.signUp calls, as tRPC's batch link sends them. */
const signUpBatch = (app: Parameters<typeof request>[0], n: number, from: number) =>
  request(app)
    .post(`/trpc/${Array(n).fill("user.signUp").join(",")}?batch=1`)
    .send(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), signUpBody(from + i)])));

describe("rate limits", () => {
  it("limits tRPC writes per signed-in client, counted in Redis; reads spend a budget of their own", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const u = await tokenUser();
    const cancel = (a = app) =>
      request(a)
        .post("/trpc/run.cancel")
        .set("authorization", `Bearer ${u.token}`)
        .send({ json: { id: "no-such-run" } });
    for (let i = 0; i < 3; i++) expect((await cancel()).status).toBe(404);
    const limited = await cancel();
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/3 per minute/) });
    const keys = await redis().keys(`${redisKey("rl", "write")}:*`);
    expect(keys.length).toBeGreaterThan(0);
    // A second app (another API process) shares the same counter.
    expect((await cancel(createApp())).status).toBe(429);
    // A read goes through the read limiter (its header says so), not the spent write budget.
    const read = await request(app).get("/trpc/user.me").set("authorization", `Bearer ${u.token}`);
    expect(read.status).toBe(200);
    expect(read.headers["ratelimit"]).toMatch(/^"read";r=\d+/);
  });

  it("limits reads, counting every call of a batch and the aggregate queries several times", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const reader = await tokenUser();
    const get = (path: string, calls = 1) =>
      request(app)
        .get(`/trpc/${Array(calls).fill(path).join(",")}${calls > 1 ? "?batch=1&input=%7B%7D" : ""}`)
        .set("authorization", `Bearer ${reader.token}`);
    // 30 a minute: a batch of 20 and one of 10 fit; one more call does not.
    expect((await get("user.me", 20)).status).toBe(200);
    expect((await get("user.me", 10)).status).toBe(200);
    expect((await get("user.me")).status).toBe(429);
    const board = await tokenUser();
    const leaderboard = () =>
      request(app)
        .get(`/trpc/betting.leaderboard?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`)
        .set("authorization", `Bearer ${board.token}`);
    for (let i = 0; i < 3; i++) expect((await leaderboard()).status).toBe(200);
    expect((await leaderboard()).status).toBe(429);
  });

  it("refuses a batch of more than 20 calls whole, and counts each sign-up of a batch against the sign-in limit", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const before = await db.user.count();
    const tooLong = await signUpBatch(app, 40, 100);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/a batch may hold at most 20 calls; this one has 40/);
    expect(await db.user.count()).toBe(before);
    // Five sign-ups in one request against a limit of 2 a minute: none happens.
    expect((await signUpBatch(app, 5, 200)).status).toBe(429);
    expect(await db.user.count()).toBe(before);
    // One at a time, the limit's worth succeed, and then sign-ups and sign-ins alike wait.
    let created = 0;
    for (let i = 300; i < 305; i++) if ((await request(app).post("/trpc/user.signUp").send(signUpBody(i))).status === 200) created += 1;
    expect(created).toBe(2);
    expect(
      (await request(app).post("/api/auth/callback/credentials").type("form").send({ email: "x@example.com", password: "wrong" })).status,
    ).toBe(429);
    expect(await db.user.count()).toBe(before + created);
    const grants = await db.ledgerTransfer.count({ where: { kind: "signup_grant" } });
    expect(grants).toBe(before + created);
    const [minted] = await db.$queryRaw<{ total: bigint }[]>`
      SELECT coalesce(-sum(e.amount), 0)::bigint AS total FROM ledger_entries e JOIN ledger_accounts a ON a.id = e."accountId" WHERE a.key = 'mint:signup'`;
    expect(minted!.total).toBe(BigInt((before + created) * config.SIGNUP_GRANT_CENTS));
    expect(await checkLedger(db)).toEqual([]);
  });

  it("reads a batch as tRPC does: a repeated batch=1 neither hides calls from the count nor passes the batch cap", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const before = await db.user.count();
    const batch = (n: number, from: number) =>
      request(app)
        .post(`/trpc/${Array(n).fill("user.signUp").join(",")}?batch=1&batch=1`)
        .send(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), signUpBody(from + i)])));
    const tooLong = await batch(40, 400);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/a batch may hold at most 20 calls; this one has 40/);
    // Five sign-ups against a limit of 2 a minute: refused whole, as without the repeat.
    expect((await batch(5, 500)).status).toBe(429);
    expect(await db.user.count()).toBe(before);
  });

  it("limits sign-in attempts per address: neither X-Forwarded-For nor a made-up bearer token picks another budget", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(app)
        .post("/api/auth/callback/credentials")
        .set("x-forwarded-for", `203.0.113.${i + 1}`)
        .set("authorization", `Bearer pdk_madeup${i}`)
        .type("form")
        .send({ email: `nobody${i}@example.com`, password: "wrong" });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  });
});

describe("rate limit leases", () => {
  it("a busy client claims permits in leases, and two processes together never exceed the limit", { timeout: 30_000 }, async () => {
    const { rateLimiter, redisRateLimit, ipv6Prefix } = await import("./rate-limit");
    const express = (await import("express")).default;
    const limit = 400;
    await insideOneRateLimitWindow();
    const name = `lease-${Date.now()}`;
    // Two "API processes": each its own limiter (own leases), one Redis counter.
    const apps = [0, 1].map(() => {
      const app = express();
      app.use(redisRateLimit(rateLimiter(name, limit), { clientKey: () => "one-busy-client" }));
      app.get("/x", (_req, res) => res.send("ok"));
      return app;
    });
    // Count the claims as they go out (the real call still runs). Not MONITOR: that connection
    // would also see every other test file's commands, and ioredis can trip on a monitor line that
    // arrives with the MONITOR reply.
    const evals = vi.spyOn(redis(), "eval");
    const claimsMade = () => evals.mock.calls.filter((args) => String(args[2]).includes(`:rl:${name}:`)).length;
    const statuses: number[] = [];
    await Promise.all(
      [0, 1].map(async (i) => {
        for (let n = 0; n < 300; n++) {
          const res = await request(apps[i]!).get("/x");
          statuses.push(res.status);
        }
      }),
    );
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeLessThanOrEqual(limit);
    expect(allowed).toBeGreaterThan(limit * 0.8);
    expect(statuses.filter((s) => s === 429).length).toBe(600 - allowed);
    const [key] = await redis().keys(`${redisKey("rl", name)}:*`);
    expect(Number(await redis().get(key!))).toBeGreaterThanOrEqual(allowed);
    // Far fewer Redis round trips than requests.
    const claims = claimsMade();
    evals.mockRestore();
    expect(claims).toBeGreaterThan(0);
    expect(claims).toBeLessThan(allowed / 2);
    expect(ipv6Prefix("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(ipv6Prefix("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipv6Prefix("::ffff:10.0.0.1")).toBe("10.0.0.1");
  });
});
