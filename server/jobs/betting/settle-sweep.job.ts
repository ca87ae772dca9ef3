// Every SETTLE_SWEEP_EVERY_MS: the betting market's backstop (server/commands/betting.ts sweepPools).
import { defineSweep } from "../define";
import { config } from "../../config";
import { sweepPools } from "../../commands/betting";

export const settleSweepJob = defineSweep("betting-settle-sweep", () => config.SETTLE_SWEEP_EVERY_MS, sweepPools);
