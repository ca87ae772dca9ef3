// Plain-HTTP route groups beside tRPC (the agent bridge, artifact downloads, webhooks).
// Each domain adds its mount here so createApp() stays one readable list.
import type { Express } from "express";
import type { ExpressAuthConfig } from "@auth/express";
import { BRIDGE_BASE_PATH } from "@shared/bridge";
import { createBridgeRouter } from "./bridge/routes";
import { createArtifactRouter } from "./routers/artifacts";
import { createStripeWebhookRouter } from "./routers/billing/stripe-webhook";
import { createTaskResultWebhookRouter } from "./bridge/agent-api/task-result-webhook";
import { createRenderWebhookRouter } from "./routers/render-webhook";
import { createPortalFileRouter } from "./routers/portal/portal-files";

export interface RouteDeps {
  authConfig: ExpressAuthConfig;
}

export function mountApiExtensions(app: Express, deps: RouteDeps): void {
  // First: its body must reach the signature check as raw bytes (express.raw), never parsed as JSON.
  app.use("/api/webhooks/stripe", createStripeWebhookRouter());
  app.use(`${BRIDGE_BASE_PATH}/runs/:runId`, createBridgeRouter());
  app.use("/api/artifacts", createArtifactRouter(deps.authConfig));
  app.use("/api/portal/files", createPortalFileRouter(deps.authConfig));
  // External agents' signed result webhooks (raw body, verified before parsing); their API
  // (bearer pk_ key, AGENT_API_PATH) is mounted first of all in app.ts.
  app.use("/api/webhooks/task-result", createTaskResultWebhookRouter());
  app.use("/api/webhooks/render", createRenderWebhookRouter());
}
