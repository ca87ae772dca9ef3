import type { JobDefinition } from "../define";
import { batchExpandJob, externalPollJob, externalStartJob } from "./pipeline-flow";
import { pipelineSweepJob } from "./pipeline-sweep.job";

export const pipelineJobs: JobDefinition[] = [externalStartJob, externalPollJob, batchExpandJob, pipelineSweepJob];
