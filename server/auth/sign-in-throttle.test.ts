import { describe, expect, it, vi } from "vitest";
import request from "supertest";

vi.hoisted(() => {
  // The default sign-in limit (the test setup raises every limit; an empty value means unset).
  process.env.RATE_LIMIT_AUTH_PER_MINUTE = "";
});

const { createApp } = await import("../app");
const { config } = await import("../config");
const { insideOneRateLimitWindow } = await import("../test/helpers");

describe("sign-in throttle", () => {
  it("45 wrong passwords, each with a fresh made-up bearer token, are throttled by address", async () => {
    expect(config.RATE_LIMIT_AUTH_PER_MINUTE).toBe(30);
    await insideOneRateLimitWindow(30_000);
    const app = createApp();
    const agent = request.agent(app);
    const { csrfToken } = (await agent.get("/api/auth/csrf").expect(200)).body as { csrfToken: string };
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const res = await agent
        .post("/api/auth/callback/credentials")
        .set("authorization", `Bearer pdk_${crypto.randomUUID()}`)
        .type("form")
        .send({ csrfToken, email: `guess${i}@example.com`, password: `wrong-${i}`, json: "true" });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(45 - config.RATE_LIMIT_AUTH_PER_MINUTE);
    expect(statuses.slice(0, config.RATE_LIMIT_AUTH_PER_MINUTE).every((s) => s !== 429)).toBe(true);
  });
});
