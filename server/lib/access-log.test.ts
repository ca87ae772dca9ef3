import { describe, expect, it } from "vitest";
import express from "express";
import request from "supertest";
import { pino } from "pino";
import { Writable } from "node:stream";
import { accessLog } from "./access-log";

function appWithLog(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const app = express();
  app.use(accessLog(pino({ level }, sink), { ignore: (req) => req.url === "/health" }));
  app.get("/ok", (_req, res) => res.json({ ok: true }));
  app.get("/missing", (_req, res) => res.status(404).end());
  app.get("/boom", (_req, res) => res.status(500).end());
  app.get("/health", (_req, res) => res.end());
  return { app, lines };
}

describe("accessLog", () => {
  it("keeps a well-formed incoming request id and replaces anything else", async () => {
    const { app } = appWithLog("info");
    expect((await request(app).get("/ok").set("x-request-id", "abc-123")).headers["x-request-id"]).toBe("abc-123");
    const replaced = (await request(app).get("/ok").set("x-request-id", "bad id; drop table")).headers["x-request-id"];
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect((await request(app).get("/ok")).headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs each finished response at the level its status calls for, with its request id", async () => {
    const { app, lines } = appWithLog("info");
    await request(app).get("/ok").set("x-request-id", "r-ok");
    await request(app).get("/missing").set("x-request-id", "r-404");
    await request(app).get("/boom").set("x-request-id", "r-500");
    await request(app).get("/health").set("x-request-id", "r-health");
    await new Promise((r) => setImmediate(r));
    // debug (the 2xx) is below "info"; the ignored route is never logged.
    expect(lines.map((l) => [l.reqId, l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
      ["r-404", 30, 404],
      ["r-500", 50, 500],
    ]);
    expect(lines[0]).toMatchObject({ req: { method: "GET", url: "/missing" }, msg: "request completed" });
    expect(typeof lines[0]!.responseTime).toBe("number");
  });
});
