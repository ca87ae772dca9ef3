import type { JobDefinition } from "../define";
import { slaCheckJob } from "./sla-check.job";
import { slaSweepJob } from "./sla-sweep.job";

export const deliverableJobs: JobDefinition[] = [slaCheckJob, slaSweepJob];
