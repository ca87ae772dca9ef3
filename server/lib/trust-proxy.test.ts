import { describe, expect, it, vi } from "vitest";
import request from "supertest";

vi.hoisted(() => {
  // Behind one reverse proxy (supertest's loopback connection plays it).
  process.env.TRUST_PROXY = "1";
  process.env.RATE_LIMIT_AUTH_PER_MINUTE = "2";
});

const { createApp } = await import("../app");
const { insideOneRateLimitWindow } = await import("../test/helpers");

describe("TRUST_PROXY", () => {
  it("with a trusted proxy in front, each client address from X-Forwarded-For has its own budget", async () => {
    await insideOneRateLimitWindow();
    const app = createApp();
    const attempt = (address: string) =>
      request(app)
        .post("/api/auth/callback/credentials")
        .set("x-forwarded-for", address)
        .type("form")
        .send({ email: "x@example.com", password: "wrong" });
    expect((await attempt("198.51.100.7")).status).not.toBe(429);
    expect((await attempt("198.51.100.7")).status).not.toBe(429);
    expect((await attempt("198.51.100.7")).status).toBe(429);
    expect((await attempt("198.51.100.8")).status).not.toBe(429);
  });
});
