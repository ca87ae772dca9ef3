// The render service settings, or null when none is configured.
import { config } from "../../config";
import type { RenderServiceConfig } from "../../providers/render-service";

export function renderServiceConfig(): RenderServiceConfig | null {
  return config.RENDER_SERVICE_URL && config.RENDER_SERVICE_API_KEY
    ? { url: config.RENDER_SERVICE_URL, apiKey: config.RENDER_SERVICE_API_KEY }
    : null;
}

/** Where the service sends completion webhooks; none without a webhook secret (Paddock then polls only). */
export function renderCallbackUrl(): string | undefined {
  return config.RENDER_WEBHOOK_SECRET ? new URL("/api/webhooks/render", config.PUBLIC_URL).toString() : undefined;
}
