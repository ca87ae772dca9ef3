// A local stand-in for an asynchronous render service (the kind a video pipeline calls: start a
// job, get its id, learn of its end by a signed webhook or by polling). Tests and the local demo
// (`npm start` without RENDER_SERVICE_URL) run it; Paddock talks to it only over HTTP through
// server/providers/render-service.ts, as it would to a real service.
//
//   POST /v1/renders        { input, callbackUrl? } (+ Idempotency-Key) → 201 { id, status, … }
//                           the same Idempotency-Key again → 200 and the same job
//   GET  /v1/renders/:id    → { id, status: queued|rendering|succeeded|failed, output?, error? }
//
// A job renders for `delayMs`, then succeeds (output: a URL) or fails, and POSTs
// `{ type: "render.succeeded"|"render.failed", data: <job> }` to its callbackUrl, signed Standard
// Webhooks style (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" keyed by the base64 of `whsec_…`), retried with backoff while it is refused.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RenderJobStatus = "queued" | "rendering" | "succeeded" | "failed";

export interface RenderJob {
  id: string;
  status: RenderJobStatus;
  input: unknown;
  callbackUrl: string | null;
  output: { url: string; durationSeconds: number } | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface RenderStandinState {
  readonly jobs: Map<string, RenderJob>;
  /** How long a job renders before it ends. */
  delayMs: number;
  /** Fault injection: the next N jobs to end fail. */
  failNextJobs: number;
  /** Fault injection: the next N job starts answer HTTP 500 (no job is made). */
  failNextStarts: number;
  /** Jobs end but no webhook is sent: Paddock must poll. */
  dropCallbacks: boolean;
  /** Jobs never end (for timeouts). */
  stall: boolean;
  /** Polls see an ended job still rendering: only its webhook can tell Paddock it ended. */
  hideEndFromPolls: boolean;
  /** Every request as "METHOD /path", in order. */
  readonly requests: string[];
  /** Every callback delivery: the job, its type and the HTTP status answered (0: no answer). */
  readonly deliveries: { jobId: string; type: string; status: number }[];
}

export interface RenderStandin {
  /** Base URL: pass as RENDER_SERVICE_URL. */
  url: string;
  apiKey: string;
  /** The `whsec_…` secret callbacks are signed with: pass as RENDER_WEBHOOK_SECRET. */
  webhookSecret: string;
  state: RenderStandinState;
  /** Resends a job's completion callback now (a replayed delivery, with its original webhook-id). */
  redeliver(jobId: string): Promise<number>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Standard Webhooks signature of one delivery: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}

export async function startRenderStandin(
  options: { apiKey?: string; webhookSecret?: string; delayMs?: number; port?: number; host?: string } = {},
): Promise<RenderStandin> {
  const apiKey = options.apiKey ?? "render-standin-key";
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString("base64")}`;
  const state: RenderStandinState = {
    jobs: new Map(),
    delayMs: options.delayMs ?? 200,
    failNextJobs: 0,
    failNextStarts: 0,
    dropCallbacks: false,
    hideEndFromPolls: false,
    stall: false,
    requests: [],
    deliveries: [],
  };
  const byIdempotencyKey = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  const messageIds = new Map<string, string>();
  let closed = false;
  let origin = "";

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const deliver = async (job: RenderJob): Promise<number> => {
    if (!job.callbackUrl) return 0;
    const type = `render.${job.status}`;
    const body = JSON.stringify({ type, data: job });
    const id = messageIds.get(job.id) ?? `msg_${randomUUID()}`;
    messageIds.set(job.id, id);
    const timestamp = Math.floor(Date.now() / 1000);
    let status = 0;
    try {
      const res = await fetch(job.callbackUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signStandardWebhook(webhookSecret, id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    state.deliveries.push({ jobId: job.id, type, status });
    return status;
  };

  const deliverWithRetries = async (job: RenderJob, attempt = 0) => {
    const status = await deliver(job);
    if ((status < 200 || status >= 300) && attempt < 5 && !closed)
      later(250 * 2 ** attempt, () => void deliverWithRetries(job, attempt + 1));
  };

  const finish = (job: RenderJob) => {
    if (state.stall) return;
    const fails = state.failNextJobs > 0;
    if (fails) state.failNextJobs--;
    job.status = fails ? "failed" : "succeeded";
    job.output = fails ? null : { url: `${origin}/files/${job.id}.mp4`, durationSeconds: 45 };
    job.error = fails ? "render failed: the composition could not be encoded (injected failure)" : null;
    job.finishedAt = new Date().toISOString();
    if (!state.dropCallbacks) void deliverWithRetries(job);
  };

  const startJob = (body: Buffer, idempotencyKey: string | undefined): { job: RenderJob; created: boolean } => {
    if (idempotencyKey) {
      const existing = byIdempotencyKey.get(idempotencyKey);
      if (existing) return { job: state.jobs.get(existing)!, created: false };
    }
    if (state.failNextStarts > 0) {
      state.failNextStarts--;
      throw new HttpError(500, "Injected failure: render start");
    }
    let parsed: { input?: unknown; callbackUrl?: unknown };
    try {
      parsed = JSON.parse(body.toString("utf8") || "{}") as typeof parsed;
    } catch {
      throw new HttpError(400, "body must be JSON");
    }
    if (parsed.input === undefined) throw new HttpError(400, "input is required");
    if (parsed.callbackUrl !== undefined && typeof parsed.callbackUrl !== "string") throw new HttpError(400, "callbackUrl must be a URL");
    const job: RenderJob = {
      id: `rnd_${randomUUID()}`,
      status: "queued",
      input: parsed.input,
      callbackUrl: parsed.callbackUrl ?? null,
      output: null,
      error: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    state.jobs.set(job.id, job);
    if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, job.id);
    later(Math.min(20, state.delayMs), () => {
      if (job.status === "queued") job.status = "rendering";
    });
    later(state.delayMs, () => finish(job));
    return { job, created: true };
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    state.requests.push(`${method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    try {
      if (req.headers.authorization !== `Bearer ${apiKey}`) throw new HttpError(401, "invalid API key");
      if (method === "POST" && url.pathname === "/v1/renders") {
        const key = req.headers["idempotency-key"];
        const { job, created } = startJob(Buffer.concat(chunks), typeof key === "string" ? key : undefined);
        return send(created ? 201 : 200, job);
      }
      const one = /^\/v1\/renders\/([^/]+)$/.exec(url.pathname);
      if (method === "GET" && one) {
        const job = state.jobs.get(decodeURIComponent(one[1]!));
        if (!job) throw new HttpError(404, `no render job ${one[1]}`);
        const ended = job.status === "succeeded" || job.status === "failed";
        if (ended && state.hideEndFromPolls) return send(200, { ...job, status: "rendering", output: null, error: null, finishedAt: null });
        return send(200, job);
      }
      throw new HttpError(404, `Cannot ${method} ${url.pathname}`);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      send(status, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const server = createServer((req, res) => void handleRequest(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    apiKey,
    webhookSecret,
    state,
    redeliver: async (jobId) => {
      const job = state.jobs.get(jobId);
      if (!job) throw new Error(`no render job ${jobId}`);
      return deliver(job);
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
