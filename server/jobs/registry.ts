// Every job Paddock runs. The worker process starts one BullMQ Worker per definition.
import type { JobDefinition } from "./define";
import { launchJob } from "./sandbox/launch";
import { expireJob } from "./sandbox/expire";
import { idleKillJob } from "./sandbox/lifecycle-sweep";
import { finalizeJob } from "./sandbox/finalize";
import { reaperJob } from "./sandbox/reaper";
import { processWatchJob } from "./sandbox/process-watch";
import { verifyJob } from "./sandbox/verify";
import { bettingJobs } from "./betting";
import { dispatchJob } from "./tasks/dispatch.job";
import { taskSweepJob } from "./tasks/sweep.job";
import { deliverWebhookJob } from "./tasks/webhook-delivery.job";
import { pipelineJobs } from "./pipelines";

export const jobDefinitions: JobDefinition[] = [
  launchJob,
  expireJob,
  idleKillJob,
  finalizeJob,
  reaperJob,
  processWatchJob,
  verifyJob,
  ...bettingJobs,
  dispatchJob,
  taskSweepJob,
  deliverWebhookJob,
  ...pipelineJobs,
];
