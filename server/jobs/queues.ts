// Producers: enqueue validated payloads. Uses a fail-fast Redis connection so an HTTP handler
// never hangs on a Redis outage.
import { Queue, type JobsOptions } from "bullmq";
import type { z } from "zod";
import type { Redis } from "ioredis";
import { config } from "../config";
import { createRedis } from "../lib/redis";
import { AppError } from "../lib/errors";
import type { JobDefinition } from "./define";

const queues = new Map<string, Queue>();
let producer: Redis | undefined;

export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function getQueue(name: string): Queue {
  let q = queues.get(name);
  if (!q) {
    producer ??= createRedis("producer");
    q = new Queue(name, { connection: producer, prefix: config.REDIS_PREFIX, defaultJobOptions });
    q.on("error", () => {});
    queues.set(name, q);
  }
  return q;
}

/** `def` may be a job's definition or just its spec (name, schema, options), so producers need not import its handler. */
export async function enqueue<S extends z.ZodType>(
  def: Pick<JobDefinition<S>, "name" | "schema" | "jobOptions">,
  data: z.infer<S>,
  opts: JobsOptions & { jobId: string },
) {
  const payload = def.schema.parse(data);
  const queue = getQueue(def.name);
  try {
    // BullMQ waits for a connection that is down instead of failing: an HTTP handler (often an
    // agent's bridge call) would hang for the whole outage. Refuse at once while reconnecting,
    // and bound the wait for the first connect.
    if (!["connecting", "connect", "ready"].includes(producer!.status)) throw new Error(`Redis connection is ${producer!.status}`);
    return await withDeadline(queue.add(def.name, payload, { ...def.jobOptions, ...opts }), ENQUEUE_DEADLINE_MS);
  } catch (e) {
    throw new AppError("UNAVAILABLE", `could not enqueue ${def.name}: the job queue is unavailable`, { cause: e });
  }
}

const ENQUEUE_DEADLINE_MS = 3_000;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function closeQueues(): Promise<void> {
  await Promise.allSettled([...queues.values()].map((q) => q.close()));
  queues.clear();
  producer = undefined;
}
