// An agent process that exits without reporting an outcome (a crash, an unhandled error, a
// `process.exit` in the wrong place) ends its run within seconds as `failed`, instead of leaving
// it `running` with an open pool until the idle timeout. Two ways in, one rule:
// - the local provider reports its child's exit at once (StartInput.onExit, from the launch);
// - this sweep asks the provider about every running run (every PROCESS_WATCH_EVERY_MS), which
//   covers Daytona (the session command's exit code) and a worker that restarted and so never
//   saw the exit of a process it started.
// stopRun takes the run through the usual terminal transition (credits back, pool settled), and
// only one of several racing callers wins it.
import { z } from "zod";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { providerFor } from "./provider-for";
import { stopRun } from "../../commands/stop-run";

/** Ends a running run whose agent process is gone; true if this call ended it. */
export async function endRunIfAgentExited(runId: string): Promise<boolean> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { status: true, provider: true, providerId: true, verifyRequestedAt: true },
  });
  // Only `running`: while `booting`, the launch job owns the process and retries its start. An agent
  // that reported completion of a run with a verifier exits while the verify job decides the run.
  if (run?.status !== "running" || !run.providerId || run.verifyRequestedAt) return false;
  const state = await providerFor(run.provider).status(run.providerId);
  if (state.state !== "exited" && state.state !== "missing") return false;
  const reason =
    state.state === "missing"
      ? "agent sandbox disappeared"
      : state.exitCode === null
        ? "agent exited (killed by a signal)"
        : `agent exited with code ${state.exitCode}`;
  const { stopped } = await stopRun(runId, { to: "failed", reason });
  if (stopped) logger.info({ runId, reason }, "run failed: its agent exited without reporting");
  return stopped;
}

const CHECKS_AT_ONCE = 8;

export const processWatchJob = defineJob({
  name: "sandbox-process-watch",
  schema: z.object({}).passthrough(),
  concurrency: 1,
  every: () => config.PROCESS_WATCH_EVERY_MS,
  async handle() {
    const running = await db.run.findMany({
      where: { status: "running", providerId: { not: null }, verifyRequestedAt: null },
      select: { id: true },
      orderBy: { startedAt: "asc" },
      take: 1_000,
    });
    let ended = 0;
    for (let i = 0; i < running.length; i += CHECKS_AT_ONCE) {
      const results = await Promise.all(
        running.slice(i, i + CHECKS_AT_ONCE).map(({ id }) =>
          endRunIfAgentExited(id).catch((err: unknown) => {
            logger.warn({ err, runId: id }, "could not check the agent process");
            return false;
          }),
        ),
      );
      ended += results.filter(Boolean).length;
    }
    return { checked: running.length, ended };
  },
});
