// Security headers (helmet) on every response. For a fixed configuration helmet writes the same
// headers every time, yet it runs a chain of a dozen middlewares per request to do it — several
// kilobytes of garbage per call on the API's hottest path (bench:bets). So helmet runs once, at
// boot, against a recorder, and each request gets the recorded headers.
import type { RequestHandler } from "express";
import helmet, { type HelmetOptions } from "helmet";

export function securityHeaders(options: HelmetOptions): RequestHandler {
  const csp = options.contentSecurityPolicy;
  const directives = typeof csp === "object" && csp.directives ? Object.values(csp.directives) : [];
  if (directives.some((d) => typeof d === "function" || (Array.isArray(d) && d.some((v) => typeof v === "function")))) {
    throw new Error("security headers: a Content-Security-Policy directive computed per request (a nonce) cannot be fixed at boot");
  }
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, Array.isArray(value) ? value.join(", ") : String(value)]);
    },
    removeHeader() {
      /* helmet removes X-Powered-By, which the app never sets */
    },
  };
  let done = false;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw new Error("security headers: helmet failed", { cause: err });
    done = true;
  });
  if (!done || headers.length === 0) throw new Error("security headers: helmet did not produce a fixed set of headers");
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
