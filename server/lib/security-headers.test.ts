import { describe, expect, it } from "vitest";
import express from "express";
import helmet from "helmet";
import request from "supertest";
import { securityHeaders } from "./security-headers";
import { createApp } from "../app";

const options = { contentSecurityPolicy: { directives: { "default-src": ["'self'"], "img-src": ["'self'", "data:"] } } };

describe("security headers", () => {
  it("sends exactly the headers helmet sends for the same configuration", async () => {
    const serve = (mw: express.RequestHandler) => express().disable("x-powered-by").use(mw).get("/", (_req, res) => res.send("ok"));
    const [ours, theirs] = await Promise.all([request(serve(securityHeaders(options))).get("/"), request(serve(helmet(options))).get("/")]);
    const pick = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !["date", "etag", "content-length", "connection", "keep-alive", "content-type"].includes(k)));
    expect(Object.keys(pick(theirs.headers)).length).toBeGreaterThan(8);
    expect(pick(ours.headers)).toEqual(pick(theirs.headers));
  });

  it("refuses a configuration whose headers depend on the request", () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { "script-src": [(_req, res) => `'nonce-${(res as unknown as { nonce: string }).nonce}'`] } } }),
    ).toThrow();
  });

  it("the app's API answers carry them", async () => {
    const res = await request(createApp()).get("/api/auth-providers");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});
