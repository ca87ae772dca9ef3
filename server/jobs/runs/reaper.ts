// Housekeeping every REAPER_EVERY_MS: leftover sandboxes removed, lost launches and verifications
// enqueued again (server/commands/run-lifecycle.ts reapSandboxes).
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { reapSandboxes } from "../../commands/run-lifecycle";

export const reaperJob = defineJob({
  name: "sandbox-reaper",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.REAPER_EVERY_MS,
  handle: () => reapSandboxes(),
});
