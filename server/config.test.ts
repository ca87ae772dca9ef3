import { describe, expect, it } from "vitest";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, parseConfig } from "./config";

const scratch = () => mkdtempSync(path.join(tmpdir(), "paddock-config-"));
const base = { DATABASE_URL: "postgresql://localhost/x", REDIS_URL: "redis://localhost:6379", DATA_DIR: scratch() };

describe("parseConfig", () => {
  it("applies defaults that make an embedded start work", () => {
    const c = parseConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.PADDOCK_ROLE).toBe("all");
    expect(c.SIGNUP_GRANT_CENTS).toBe(100_000);
    expect(c.PUBLIC_URL).toBe("http://localhost:3000");
    expect(c.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(c.HOST).toBe("127.0.0.1");
    expect(c.TRUST_PROXY).toBe(false);
  });

  it("without AUTH_SECRET, makes a random secret on first start, keeps it 0600 under DATA_DIR and reuses it", () => {
    const dataDir = path.join(scratch(), "nested", "data");
    const first = parseConfig({ ...base, DATA_DIR: dataDir });
    expect(first.AUTH_SECRET).not.toBe("paddock-development-secret-do-not-use-in-production");
    expect(first.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, "auth-secret")).mode & 0o777).toBe(0o600);
    expect(parseConfig({ ...base, DATA_DIR: dataDir }).AUTH_SECRET).toBe(first.AUTH_SECRET);
    // Another installation gets another secret; a configured one wins.
    expect(parseConfig({ ...base, DATA_DIR: scratch() }).AUTH_SECRET).not.toBe(first.AUTH_SECRET);
    const mine = "x".repeat(40);
    expect(parseConfig({ ...base, DATA_DIR: dataDir, AUTH_SECRET: mine }).AUTH_SECRET).toBe(mine);
  });

  it("reads TRUST_PROXY as Express does: a boolean, a hop count or a list", () => {
    expect(parseConfig({ ...base, TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
    expect(parseConfig({ ...base, TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseConfig({ ...base, TRUST_PROXY: "loopback, 10.0.0.0/8" }).TRUST_PROXY).toBe("loopback, 10.0.0.0/8");
    expect(() => parseConfig({ ...base, TRUST_PROXY: "yes please" })).toThrow(/TRUST_PROXY: must be true, false, a hop count/);
  });

  it("reads BRIDGE_BODY_LIMIT as body-parser does: a size with a unit, or bytes", () => {
    expect(parseConfig(base).BRIDGE_BODY_LIMIT).toBe(4 * 1024 * 1024);
    expect(parseConfig({ ...base, BRIDGE_BODY_LIMIT: "512kb" }).BRIDGE_BODY_LIMIT).toBe(512 * 1024);
    expect(parseConfig({ ...base, BRIDGE_BODY_LIMIT: "1.5MB" }).BRIDGE_BODY_LIMIT).toBe(1.5 * 1024 * 1024);
    expect(parseConfig({ ...base, BRIDGE_BODY_LIMIT: "2048" }).BRIDGE_BODY_LIMIT).toBe(2048);
    expect(() => parseConfig({ ...base, BRIDGE_BODY_LIMIT: "four megabytes" })).toThrow(/BRIDGE_BODY_LIMIT: must be a size such as 4mb/);
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
