// Every job Paddock runs. The worker process starts one BullMQ Worker per definition.
import type { JobDefinition } from "./define";

export const jobDefinitions: JobDefinition[] = [];
