// The worker role: one BullMQ Worker per job definition, each on its own blocking connection,
// plus the recurring schedulers. Closed gracefully on shutdown.
import { Worker, UnrecoverableError } from "bullmq";
import { ZodError } from "zod";
import { config } from "../config";
import { logger } from "../lib/logger";
import { createRedis } from "../lib/redis";
import { getQueue } from "./queues";
import { jobDefinitions } from "./registry";
import type { JobDefinition } from "./define";

export interface RunningWorkers {
  close(): Promise<void>;
}

export async function startWorkers(defs: JobDefinition[] = jobDefinitions): Promise<RunningWorkers> {
  const workers: Worker[] = [];
  for (const def of defs) {
    const worker = new Worker(
      def.name,
      async (job) => {
        let data: unknown;
        try {
          data = def.schema.parse(job.data);
        } catch (e) {
          // A malformed payload will never succeed: fail it for good.
          if (e instanceof ZodError) throw new UnrecoverableError(`invalid ${def.name} payload: ${e.message}`);
          throw e;
        }
        return def.handle(data, job);
      },
      {
        connection: createRedis("worker"),
        prefix: config.REDIS_PREFIX,
        concurrency: def.concurrency ?? 4,
        // A job whose worker died (SIGKILL, OOM) is retried once its lock lapses.
        lockDuration: config.WORKER_LOCK_MS,
        stalledInterval: config.WORKER_LOCK_MS,
        autorun: true,
      },
    );
    worker.on("error", (err) => logger.error({ err, queue: def.name }, "worker error"));
    worker.on("failed", (job, err) =>
      logger.warn({ err: err.message, queue: def.name, jobId: job?.id, attempts: job?.attemptsMade }, "job failed"),
    );
    workers.push(worker);
    if (def.every) {
      await getQueue(def.name).upsertJobScheduler(`${def.name}:every`, { every: def.every() }, { name: def.name, data: {} });
    }
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ queues: defs.map((d) => d.name) }, "workers started");
  return {
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}
