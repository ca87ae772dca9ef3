import type { JobDefinition } from "../define";
import { lockPoolJob } from "./lock-pool.job";
import { settlePoolJob } from "./settle-pool.job";
import { settleSweepJob } from "./settle-sweep.job";

export const bettingJobs: JobDefinition[] = [lockPoolJob, settlePoolJob, settleSweepJob];
