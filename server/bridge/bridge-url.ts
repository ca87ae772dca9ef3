import { config } from "../config";
import { BRIDGE_BASE_PATH } from "@shared/bridge";

let runtimeBase: string | undefined;

/**
 * When Paddock listens on a port chosen at boot (tests use port 0) and no public URL was
 * configured, the API process tells the in-process workers where the bridge is.
 */
export function setBridgeBaseUrl(url: string): void {
  runtimeBase = url;
}

/** The bridge URL a run's agent uses (PADDOCK_BRIDGE_URL). */
export function bridgeUrlFor(runId: string): string {
  const base = (config.BRIDGE_PUBLIC_URL ?? runtimeBase ?? config.PUBLIC_URL).replace(/\/+$/, "");
  return `${base}${BRIDGE_BASE_PATH}/runs/${runId}`;
}
