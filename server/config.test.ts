import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config";

const base = { DATABASE_URL: "postgresql://localhost/x", REDIS_URL: "redis://localhost:6379" };

describe("parseConfig", () => {
  it("applies defaults that make an embedded start work", () => {
    const c = parseConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.PADDOCK_ROLE).toBe("all");
    expect(c.SIGNUP_GRANT_CENTS).toBe(100_000);
    expect(c.PUBLIC_URL).toBe("http://localhost:3000");
    expect(c.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it("names the variable and the rule when a value is wrong", () => {
    expect(() => parseConfig({ ...base, PORT: "abc" })).toThrow(/PORT/);
    expect(() => parseConfig({ ...base, REDIS_URL: "http://x" })).toThrow(/REDIS_URL: must be a redis:\/\/ URL/);
    expect(() => parseConfig({ ...base, PADDOCK_ROLE: "both" })).toThrow(/PADDOCK_ROLE/);
    expect(() => parseConfig({ REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL/);
  });

  it("collects every problem at once", () => {
    try {
      parseConfig({ PORT: "-1", HOUSE_RAKE_BPS: "20000" });
      expect.fail("should have thrown");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join("\n");
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/REDIS_URL/);
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/HOUSE_RAKE_BPS/);
    }
  });

  it("requires AUTH_SECRET in production and checks cross-field rules", () => {
    expect(() => parseConfig({ ...base, NODE_ENV: "production" })).toThrow(/AUTH_SECRET: is required in production/);
    expect(() => parseConfig({ ...base, AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
    expect(() => parseConfig({ ...base, MIN_BET_CENTS: "500", MAX_BET_CENTS: "100" })).toThrow(/MIN_BET_CENTS/);
    expect(() => parseConfig({ ...base, SANDBOX_PROVIDER: "daytona" })).toThrow(/DAYTONA_API_KEY/);
  });
});
