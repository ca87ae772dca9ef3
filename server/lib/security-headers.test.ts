// The app sends its security headers with helmet itself. Paddock once replayed headers helmet had
// computed at boot instead, to spare the API's hottest path helmet's chain of middlewares; measured
// per request on Node's ServerResponse with the app's configuration (100,000 requests a round, CPU
// time including the garbage collections they cause), helmet costs 8.2–8.7 µs and the replay 6.1–7.5
// µs: 1–2 µs saved on a 350–410 µs tRPC call (bench:bets), under 1 %, not worth code of our own.
import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../app";

describe("security headers", () => {
  it("the app's answers carry them, the Content-Security-Policy as configured", async () => {
    const app = createApp();
    for (const path of ["/api/auth-providers", "/trpc/user.me", "/", "/api/agents/v1/tasks/next"]) {
      const res = await request(app).get(path);
      expect(res.headers["content-security-policy"], path).toBe(
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data: blob:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self' ws: wss:",
      );
      expect(res.headers["x-content-type-options"], path).toBe("nosniff");
      expect(res.headers["strict-transport-security"], path).toMatch(/^max-age=\d+/);
      expect(res.headers["x-powered-by"], path).toBeUndefined();
    }
  });
});
