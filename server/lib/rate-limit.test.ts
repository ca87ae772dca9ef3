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
