// The sandbox provider of a run, configured from the environment (used by the run commands and the jobs).
import { config } from "../config";
import { getProvider } from "./index";
import type { ProviderName, SandboxProvider } from "./types";

/** The provider a run uses, configured from the environment. */
export function providerFor(name: string): SandboxProvider {
  return getProvider(name as ProviderName, {
    dataDir: config.DATA_DIR,
    ...(config.DAYTONA_API_KEY ? { daytonaApiKey: config.DAYTONA_API_KEY } : {}),
    ...(config.DAYTONA_API_URL ? { daytonaApiUrl: config.DAYTONA_API_URL } : {}),
    ...(config.DAYTONA_TARGET ? { daytonaTarget: config.DAYTONA_TARGET } : {}),
  });
}

export function availableProviders(): ProviderName[] {
  return config.DAYTONA_API_KEY ? ["local", "daytona"] : ["local"];
}

/** Stops and removes a run's sandbox; tolerant of one that is already gone. */
export async function destroySandbox(provider: string, providerId: string | null): Promise<void> {
  if (!providerId) return;
  await providerFor(provider).remove(providerId);
}
