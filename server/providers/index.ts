// Picks the provider a run uses. Callers pass configuration explicitly (this module does not read
// server/config.ts), so jobs, scripts and tests can each point it where they need.
import path from "node:path";
import { createDaytonaProvider } from "./daytona";
import { createLocalProvider } from "./local";
import type { ProviderName, SandboxProvider } from "./types";

export interface ProviderConfig {
  /** Paddock's data directory; local sandboxes live in `<dataDir>/sandboxes`. */
  dataDir: string;
  daytonaApiKey?: string;
  daytonaApiUrl?: string;
  daytonaTarget?: string;
}

type ClosableProvider = SandboxProvider & { close?: () => Promise<void> };

// One instance per configuration and process: the local provider serializes operations on a
// sandbox and follows its output in memory, and each Daytona client holds an event connection.
const instances = new Map<string, ClosableProvider>();

export function getProvider(name: ProviderName, cfg: ProviderConfig): SandboxProvider {
  switch (name) {
    case "local": {
      const rootDir = path.resolve(cfg.dataDir, "sandboxes");
      return memoize(`local:${rootDir}`, () => createLocalProvider({ rootDir }));
    }
    case "daytona": {
      const apiKey = cfg.daytonaApiKey;
      if (!apiKey) {
        throw new Error(
          "The daytona sandbox provider needs an API key: set DAYTONA_API_KEY, or use the local provider (SANDBOX_PROVIDER=local)",
        );
      }
      const key = JSON.stringify(["daytona", cfg.daytonaApiUrl ?? "", cfg.daytonaTarget ?? "", apiKey]);
      return memoize(key, () => createDaytonaProvider({ apiKey, apiUrl: cfg.daytonaApiUrl, target: cfg.daytonaTarget }));
    }
    default: {
      const unknown: never = name;
      throw new Error(`Unknown sandbox provider "${String(unknown)}": expected "local" or "daytona"`);
    }
  }
}

function memoize(key: string, make: () => ClosableProvider): SandboxProvider {
  let provider = instances.get(key);
  if (!provider) {
    provider = make();
    instances.set(key, provider);
  }
  return provider;
}

/** Releases provider connections; part of graceful shutdown. Sandboxes keep running. */
export async function closeProviders(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  await Promise.all(
    all.map(async (p) => {
      await p.close?.();
    }),
  );
}

export type { ProviderName, SandboxProvider } from "./types";
