// Paddock's client of the external render service (RENDER_SERVICE_URL): start a job, read its
// status, and verify the signed completion webhook it sends. Locally and in tests the service is
// server/providers/render-standin.ts; the same HTTP contract is what a real service must answer.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError } from "../lib/errors";

export interface RenderServiceConfig {
  url: string;
  apiKey: string;
}

export const renderJobSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["queued", "rendering", "succeeded", "failed"]),
  output: z.object({ url: z.string(), durationSeconds: z.number().optional() }).nullable().optional(),
  error: z.string().nullable().optional(),
});
export type RenderJobView = z.infer<typeof renderJobSchema>;

export const renderWebhookSchema = z.object({
  type: z.enum(["render.succeeded", "render.failed"]),
  data: renderJobSchema,
});

/** A call the service refused or could not answer; `retryable` says whether trying again may help. */
export class RenderServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "RenderServiceError";
  }
}

async function call(cfg: RenderServiceConfig, path: string, init: RequestInit = {}): Promise<RenderJobView> {
  let res: Response;
  try {
    res = await fetch(new URL(path, cfg.url), {
      ...init,
      headers: { authorization: `Bearer ${cfg.apiKey}`, "content-type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new RenderServiceError(`render service unreachable: ${e instanceof Error ? e.message : String(e)}`, true);
  }
  const text = await res.text();
  if (!res.ok) {
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new RenderServiceError(`render service answered ${res.status}: ${text.slice(0, 300)}`, retryable);
  }
  const parsed = renderJobSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new RenderServiceError(`render service answered an unexpected body: ${text.slice(0, 300)}`, false);
  return parsed.data;
}

/**
 * Starts a render job. The idempotency key makes a retried start (after a crash between the request
 * and recording its answer) return the same job instead of rendering twice.
 */
export function startRenderJob(
  cfg: RenderServiceConfig,
  opts: { idempotencyKey: string; input: unknown; callbackUrl?: string },
): Promise<RenderJobView> {
  return call(cfg, "/v1/renders", {
    method: "POST",
    headers: { "idempotency-key": opts.idempotencyKey },
    body: JSON.stringify({ input: opts.input, ...(opts.callbackUrl ? { callbackUrl: opts.callbackUrl } : {}) }),
  });
}

export function getRenderJob(cfg: RenderServiceConfig, jobId: string): Promise<RenderJobView> {
  return call(cfg, `/v1/renders/${encodeURIComponent(jobId)}`);
}

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Verifies a Standard Webhooks delivery (webhook-id, webhook-timestamp, webhook-signature) over
 * its raw body: the timestamp within ±5 minutes, any one of the space-separated `v1,` signatures
 * matching in constant time. Returns the message id (for replay protection). Throws UNAUTHORIZED.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer | string,
  nowMs = Date.now(),
): string {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signatures = header("webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new AppError("UNAUTHORIZED", "missing webhook-id, webhook-timestamp or webhook-signature header");
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - seconds) > TOLERANCE_SECONDS) {
    throw new AppError("UNAUTHORIZED", "webhook-timestamp is not within 5 minutes of now");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  const valid = signatures.split(" ").some((s) => {
    const [version, sig] = s.split(",", 2);
    if (version !== "v1" || !sig) return false;
    const given = Buffer.from(sig, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) throw new AppError("UNAUTHORIZED", "no valid webhook-signature");
  return id;
}
