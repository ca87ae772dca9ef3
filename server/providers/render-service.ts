// Paddock's client of the external render service (RENDER_SERVICE_URL): start a job, read its
// status, and the shape of the signed completion webhook it sends (verified with
// server/lib/standard-webhooks.ts). Locally and in tests the service is
// server/providers/render-standin.ts; the same HTTP contract is what a real service must answer.
import { z } from "zod";

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
