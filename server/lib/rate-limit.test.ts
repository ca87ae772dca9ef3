import { describe, expect, it, vi } from "vitest";
import request from "supertest";

vi.hoisted(() => {
  process.env.RATE_LIMIT_WRITE_PER_MINUTE = "3";
  process.env.RATE_LIMIT_AUTH_PER_MINUTE = "2";
});

const { createApp } = await import("../app");
const { redis, redisKey } = await import("./redis");

describe("rate limits", () => {
  it("limits tRPC writes per client, counted in Redis, and leaves reads alone", async () => {
    const app = createApp();
    const signUp = (i: number) => request(app).post("/trpc/user.signUp").send({ json: { email: `rl${i}@example.com`, password: "long enough", name: "R" } });
    for (let i = 0; i < 3; i++) expect((await signUp(i)).status).toBe(200);
    const limited = await signUp(3);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/3 per minute/) });
    const keys = await redis().keys(`${redisKey("rl", "write")}:*`);
    expect(keys.length).toBeGreaterThan(0);
    // A second app (another API process) shares the same counter.
    expect((await request(createApp()).post("/trpc/user.signUp").send({ json: { email: "rl9@example.com", password: "long enough", name: "R" } })).status).toBe(429);
    expect((await request(app).get("/api/health")).status).toBe(200);
  });

  it("limits sign-in attempts", async () => {
    const app = createApp();
    const attempt = () => request(app).post("/api/auth/callback/credentials").type("form").send({ email: "x@example.com", password: "wrong" });
    await attempt();
    await attempt();
    expect((await attempt()).status).toBe(429);
  });
});

describe("rate limit leases", () => {
  it("a busy client claims permits in leases, and two processes together never exceed the limit", { timeout: 30_000 }, async () => {
    const { redisRateLimit, ipv6Prefix } = await import("./rate-limit");
    const express = (await import("express")).default;
    const limit = 400;
    // Stay inside one fixed window: wait out a minute boundary that is less than 10 s away.
    const toBoundary = 60_000 - (Date.now() % 60_000);
    if (toBoundary < 10_000) await new Promise((r) => setTimeout(r, toBoundary + 50));
    const name = `lease-${Date.now()}`;
    // Two "API processes": each its own limiter (own leases), one Redis counter.
    const apps = [0, 1].map(() => {
      const app = express();
      app.use(redisRateLimit(name, limit));
      app.get("/x", (_req, res) => res.send("ok"));
      return app;
    });
    const monitor = redis().duplicate();
    let claims = 0;
    await monitor.monitor().then((m) => m.on("monitor", (_t: string, args: string[]) => {
      if (args[0]?.toLowerCase() === "eval" && String(args[3]).includes(`:rl:${name}:`)) claims += 1;
    }));
    const statuses: number[] = [];
    await Promise.all(
      [0, 1].map(async (i) => {
        for (let n = 0; n < 300; n++) {
          const res = await request(apps[i]!).get("/x").set("authorization", "Bearer same-client-token");
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
    expect(claims).toBeGreaterThan(0);
    expect(claims).toBeLessThan(allowed / 2);
    monitor.disconnect();
    expect(ipv6Prefix("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(ipv6Prefix("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipv6Prefix("::ffff:10.0.0.1")).toBe("10.0.0.1");
  });
});
