// tRPC over Express: buffers the request body (capped), hands tRPC's own `resolveResponse` a
// Fetch Request around it, and writes the answer with a single `res.end` and a Content-Length.
//
// Why not `@trpc/server/adapters/express`: it streams both ways through web streams — the body
// as a ReadableStream fed from the socket, the answer piped through a WritableStream into
// res.write and then a chunked `res.end`, i.e. two socket writes per call. Paddock's procedures
// answer small JSON documents (the client uses httpBatchLink, no subscriptions). An answer that
// really is a stream (SSE, JSONL) is still piped as it comes.
//
// The figure: `npm run bench:bets` (50 clients placing bets through HTTP tRPC on one API process,
// after its 5 s warm-up) prints "CPU per bet … API process" from /proc. With the official
// adapter that was 0.60–0.67 ms per call; with this handler 0.35–0.41 ms, over repeated runs on
// the 2-core machine (commit 22fe22c). `npx tsx scripts/bench/trpc-handler.ts` isolates the
// handler on a bet-sized mutation, alternating rounds with the official adapter and a plain
// Express floor: with tRPC 11.19 the adapter cost 0.49 ms per call over the floor, this handler
// 0.20 ms (medians of 6 rounds of 5,000 calls, on a busy 2-core machine). If a tRPC upgrade
// closes that gap, mount `createExpressMiddleware` in app.ts and delete this file.
//
// Per call it builds no Fetch Headers for tRPC (NodeHeaders below reads Node's parsed headers)
// and parses a Host it has seen valid only once; with the rate limits' synchronous path
// (rate-limit.ts, the figure there) the API's instructions per bet went from 2.477 M to 2.294 M
// (`npm run bench:bets:instructions`, commits 00dde66 and c6b856e side by side).
//
// An upgrade of tRPC cannot silently break it: adapter-parity.test.ts sends the same requests to
// this handler and to the official adapter on the same appRouter and compares the answers.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { TRPCError, getTRPCErrorFromUnknown, type AnyTRPCRouter, type inferRouterContext } from "@trpc/server";
import { resolveResponse } from "@trpc/server/http";
import { readBody } from "../lib/read-body";

export interface TrpcExpressOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** Largest request body accepted, in bytes; larger ones are answered 413 (PAYLOAD_TOO_LARGE). */
  maxBodySize: number;
  /** Most calls one batch may hold; a longer batch is answered 400 and none of its calls runs. */
  maxBatchCalls: number;
  createContext(req: IncomingMessage, res: ServerResponse): Promise<inferRouterContext<TRouter>>;
  onError?: (opts: { error: TRPCError; path: string | undefined; ctx?: inferRouterContext<TRouter> | undefined }) => void;
}

/** The handler, in Express's middleware shape (it also runs in front of Express: lib/front-door.ts); `next(err)` when the request could not be read. */
export function trpcExpressHandler<TRouter extends AnyTRPCRouter>(
  opts: TrpcExpressOptions<TRouter>,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const { onError } = opts;
  return (req, res, next) => {
    handle(req, res).catch((cause: unknown) => {
      // resolveResponse turns every procedure error into a tRPC answer; reaching here means the
      // request itself could not be read or the answer not written.
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: undefined });
      if (res.headersSent) res.destroy();
      else next(cause);
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, opts.maxBodySize);
    const calls = trpcCallPaths(req).length;
    const refusal = !body.ok
      ? new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `request body is larger than ${opts.maxBodySize} bytes` })
      : calls > opts.maxBatchCalls
        ? new TRPCError({
            code: "BAD_REQUEST",
            message: `a batch may hold at most ${opts.maxBatchCalls} calls; this one has ${calls} — send them in several requests`,
          })
        : null;
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const request = new BufferedRequest(
      requestUrl(req),
      req.method ?? "GET",
      new NodeHeaders(req.headers),
      body.ok ? body.bytes : undefined,
      abort.signal,
    );

    const response = await resolveResponse({
      router: opts.router,
      req: request.asRequest(),
      path: procedurePath(req),
      error: refusal,
      createContext: () => opts.createContext(req, res),
      onError,
    });

    res.statusCode = response.status;
    for (const [key, value] of response.headers) {
      if (key !== "set-cookie") res.setHeader(key, value);
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader("set-cookie", cookies);
    if (!response.body) {
      res.end();
      return;
    }
    // A streamed batch (trpc-accept: application/jsonl) comes as content-type application/json
    // with transfer-encoding chunked: buffering it would send a Content-Length beside that header.
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream") || type.startsWith("application/jsonl") || response.headers.has("transfer-encoding")) {
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
      return;
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    res.setHeader("content-length", bytes.length);
    res.end(bytes);
  }
}

const callPaths = new WeakMap<IncomingMessage, string[]>();

/**
 * The procedure paths a tRPC request calls (several for `?batch=1`), read as tRPC reads them.
 * Worked out once per request: the call limits (call-limits.ts) and the batch cap both ask.
 */
export function trpcCallPaths(req: IncomingMessage): string[] {
  let calls = callPaths.get(req);
  if (!calls) {
    calls = readCallPaths(req);
    callPaths.set(req, calls);
  }
  return calls;
}

/** The URL the client sent: Express's `originalUrl` (a mounted route's `url` has lost its mount), or the plain request's. */
const sentUrl = (req: IncomingMessage & { originalUrl?: string }) => req.originalUrl ?? req.url ?? "/";

/** The path's last segment (the procedure, or a batch's procedures), undecoded, as tRPC is handed it. */
function procedurePath(req: IncomingMessage): string {
  const url = sentUrl(req);
  const query = url.indexOf("?");
  const path = query < 0 ? url : url.slice(0, query);
  return path.slice(path.lastIndexOf("/") + 1);
}

function readCallPaths(req: IncomingMessage): string[] {
  // Decoded as tRPC decodes it, so an encoded comma cannot hide calls from the count.
  let path = procedurePath(req);
  try {
    path = decodeURIComponent(path);
  } catch {
    /* tRPC refuses a path it cannot decode; nothing runs */
  }
  return isBatch(sentUrl(req)) ? path.split(",") : [path];
}

/**
 * Whether tRPC takes the request for a batch: the first `batch` of its query is "1"
 * (URLSearchParams, as tRPC reads it). Not Express's `req.query`, which makes a repeated
 * `?batch=1&batch=1` an array: such a request would be counted as one call and pass the batch cap
 * while tRPC ran each of its calls.
 */
function isBatch(url: string): boolean {
  const query = url.indexOf("?");
  if (query < 0) return false;
  const fragment = url.indexOf("#", query);
  return new URLSearchParams(url.slice(query + 1, fragment < 0 ? undefined : fragment)).get("batch") === "1";
}

/**
 * The request's absolute URL; a Host header that makes no valid URL is replaced by localhost. tRPC
 * reads only its path and query, so the scheme is always http (no proxy header is consulted).
 */
function requestUrl(req: IncomingMessage): string {
  const host = req.headers.host ?? "localhost";
  const url = `http://${host}${sentUrl(req)}`;
  // Whether it parses is the Host's doing (a path's odd characters are escaped; an absolute-form
  // target fails with either host), and a server hears the same Host again and again: the last
  // one that parsed is not parsed again.
  if (host === validHost) return url;
  if (!URL.canParse(url)) return `http://localhost${sentUrl(req)}`;
  validHost = host;
  return url;
}
let validHost = "";

/**
 * The Fetch Request tRPC reads, over a body already in memory: url, method, headers, signal and
 * the body readers tRPC uses. A real `Request` (undici) would wrap the bytes in a ReadableStream
 * and register its signal with a FinalizationRegistry — per call, on the hottest path — only for
 * tRPC to read them straight back. Anything else tRPC might ask for comes from a real Request,
 * built on first use.
 */
class BufferedRequest {
  private real: Request | undefined;
  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: NodeHeaders,
    private readonly bytes: Buffer | undefined,
    readonly signal: AbortSignal,
  ) {}

  text(): Promise<string> {
    return Promise.resolve(this.bytes ? this.bytes.toString("utf8") : "");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.fetchRequest().arrayBuffer();
  }

  formData(): Promise<FormData> {
    return this.fetchRequest().formData();
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.fetchRequest().body;
  }

  /** This object where tRPC's types ask for a Request. */
  asRequest(): Request {
    return this as unknown as Request;
  }

  private fetchRequest(): Request {
    this.real ??= new Request(this.url, {
      method: this.method,
      headers: this.headers.fetchHeaders(),
      signal: this.signal,
      ...(this.bytes && this.method !== "GET" && this.method !== "HEAD" ? { body: this.bytes, duplex: "half" } : {}),
    } as RequestInit);
    return this.real;
  }
}

/**
 * The request's headers for tRPC, which only asks `get` and `has` (content type, accept): read
 * straight from Node's parsed headers (lower-case names, repeats already joined with ", " except
 * set-cookie) rather than copied into a Fetch Headers, which validates every name and value per
 * call. Anything else comes from a real Headers, built on first use.
 */
class NodeHeaders {
  private real: Headers | undefined;
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void): void {
    this.fetchHeaders().forEach(callback);
  }

  entries(): HeadersIterator<[string, string]> {
    return this.fetchHeaders().entries();
  }

  keys(): HeadersIterator<string> {
    return this.fetchHeaders().keys();
  }

  values(): HeadersIterator<string> {
    return this.fetchHeaders().values();
  }

  getSetCookie(): string[] {
    return this.fetchHeaders().getSetCookie();
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.fetchHeaders()[Symbol.iterator]();
  }

  fetchHeaders(): Headers {
    if (!this.real) {
      const headers = new Headers();
      for (const key in this.raw) {
        const value = this.raw[key];
        if (typeof value === "string") headers.append(key, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(key, item);
      }
      this.real = headers;
    }
    return this.real;
  }
}
