import { describe, expect, it } from "vitest";
import express from "express";
import request from "supertest";
import { pino } from "pino";
import { Writable } from "node:stream";
import http from "node:http";
import { accessLog } from "./access-log";
import { expressRequestOf } from "./front-door";

function sinkLines() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, sink };
}

function appWithLog(level: string) {
  const { lines, sink } = sinkLines();
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

  it("logs a plain handler's request (in front of Express) with its URL and the address by the app's trust-proxy rule", async () => {
    for (const [trust, forwarded, expected] of [
      [false, "203.0.113.9", /^(::ffff:)?127\.0\.0\.1$/],
      [true, "203.0.113.9", /^203\.0\.113\.9$/],
    ] as const) {
      const { lines, sink } = sinkLines();
      const app = express();
      app.set("trust proxy", trust);
      const asExpress = expressRequestOf(app);
      const log = accessLog(pino({ level: "debug" }, sink), { address: (req) => asExpress(req).ip });
      const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
        log(req, res, () => {
          res.statusCode = 204;
          res.end();
        });
      const res = await request(handler).get("/api/agents/v1/tasks/next?wait=0").set("x-forwarded-for", forwarded);
      expect(res.status).toBe(204);
      await new Promise((r) => setImmediate(r));
      expect(lines).toMatchObject([{ req: { method: "GET", url: "/api/agents/v1/tasks/next?wait=0" }, res: { statusCode: 204 } }]);
      expect((lines[0]!.req as { remoteAddress: string }).remoteAddress).toMatch(expected);
    }
  });
});
