// Plain-HTTP route groups beside tRPC (the agent bridge, artifact downloads, webhooks).
// Each domain adds its mount here so createApp() stays one readable list.
import type { Express } from "express";
import type { ExpressAuthConfig } from "@auth/express";

export interface RouteDeps {
  authConfig: ExpressAuthConfig;
}

export function mountApiExtensions(_app: Express, _deps: RouteDeps): void {}
