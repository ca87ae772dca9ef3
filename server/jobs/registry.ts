// Every job Paddock runs. The worker process starts one BullMQ Worker per definition.
import type { JobDefinition } from "./define";
import { launchJob } from "./runs/launch";
import { expireJob } from "./runs/expire";
import { idleKillJob } from "./runs/lifecycle-sweep";
import { finalizeJob } from "./runs/finalize";
import { reaperJob } from "./runs/reaper";
import { processWatchJob } from "./runs/process-watch";
import { verifyJob } from "./runs/verify";
import { bettingJobs } from "./betting";
import { dispatchJob } from "./tasks/dispatch.job";
import { taskSweepJob } from "./tasks/sweep.job";
import { deliverWebhookJob } from "./tasks/webhook-delivery.job";
import { deliverableSweepJob } from "./tasks/deliverable-sweep.job";
import { pipelineJobs } from "./pipelines";
import { deliverableJobs } from "./deliverables";

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
  deliverableSweepJob,
  ...pipelineJobs,
  ...deliverableJobs,
];
