// Plain-HTTP route groups beside tRPC (the agent bridge, artifact downloads, webhooks).
// Each domain adds its mount here so createApp() stays one readable list.
import type { Express } from "express";
import type { ExpressAuthConfig } from "@auth/express";
import { BRIDGE_BASE_PATH } from "@shared/bridge";
import { createBridgeRouter } from "./bridge/routes";
import { createArtifactRouter } from "./routers/artifacts";
import { createRenderWebhookRouter } from "./routers/render-webhook";

export interface RouteDeps {
  authConfig: ExpressAuthConfig;
}

export function mountApiExtensions(app: Express, deps: RouteDeps): void {
  app.use(`${BRIDGE_BASE_PATH}/runs/:runId`, createBridgeRouter());
  app.use("/api/artifacts", createArtifactRouter(deps.authConfig));
  app.use("/api/webhooks/render", createRenderWebhookRouter());
}
