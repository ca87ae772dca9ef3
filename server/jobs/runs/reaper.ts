// Housekeeping every REAPER_EVERY_MS: leftover sandboxes removed, lost launches and verifications
// enqueued again (server/commands/run-lifecycle.ts reapSandboxes).
import { defineSweep } from "../define";
import { config } from "../../config";
import { reapSandboxes } from "../../commands/run-lifecycle";

export const reaperJob = defineSweep("sandbox-reaper", () => config.REAPER_EVERY_MS, reapSandboxes);
