// Launching a run: a durable multi-step job — provision → upload → start → mark running.
// Each step is idempotent (the provider finds the sandbox it already made for the run, a
// started process is not started twice), so a retry or a crash-and-restart resumes safely.
// After the last failed attempt the run is `failed` with the error and its sandbox is removed.
import { z } from "zod";
import type { Job } from "bullmq";
import { defineJob } from "../define";
import { config } from "../../config";
import { db } from "../../lib/db";
import { logger } from "../../lib/logger";
import { hashToken, newToken } from "../../lib/passwords";
import { isTerminalRun, STARTED_RUN_STATUSES } from "@shared/run-status";
import { transitionRunIfAllowed } from "../../domain/sandbox/lifecycle";
import { appendEvents } from "../../domain/sandbox/events";
import { pgPool } from "../../lib/pg";
import { markRunning } from "../../domain/sandbox/start";
import { AGENT_ENV } from "@shared/bridge";
import { AGENT_START_COMMAND, buildAgentBundle } from "../../../agent/bundle";
import { PADDOCK_LABEL, RUN_LABEL } from "../../providers/types";
import { providerFor } from "./provider-for";
import { afterTransition, publishEvents } from "../../commands/run-effects";
import { afterRunStarted } from "../../commands/run-started";
import { bridgeUrlFor } from "./bridge-url";
import { endRunIfAgentExited } from "./process-watch";

export const REFERENCE_RUNTIME = "paddock-reference-agent";

export const launchJob = defineJob({
  name: "sandbox-launch",
  schema: z.object({ sandboxId: z.string() }),
  concurrency: 8,
  jobOptions: {
    attempts: config.LAUNCH_ATTEMPTS,
    backoff: { type: "exponential", delay: config.LAUNCH_BACKOFF_MS },
  },
  async handle({ sandboxId }, job) {
    try {
      return await launch(sandboxId);
    } catch (err) {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) await giveUp(sandboxId, err, job);
      throw err;
    }
  },
});

async function launch(sandboxId: string) {
  const run = await db.sandbox.findUnique({
    where: { id: sandboxId },
    select: {
      status: true,
      provider: true,
      providerId: true,
      agentConfig: true,
      agentProfile: { select: { model: true, policy: true, runtime: true } },
    },
  });
  if (!run || isTerminalRun(run.status) || run.status === "running") return { skipped: run?.status ?? "missing" };
  if (run.status === "queued") {
    const booted = await transitionRunIfAllowed(db, { sandboxId, to: "booting", reason: "launching" });
    if (booted) await afterTransition(booted);
  }
  const provider = providerFor(run.provider);

  // 1. provision
  let providerId = run.providerId;
  if (!providerId) {
    const sandbox = await provider.create({ runId: sandboxId, labels: { [PADDOCK_LABEL]: "1", [RUN_LABEL]: sandboxId } });
    providerId = sandbox.providerId;
    await db.sandbox.update({ where: { id: sandboxId }, data: { providerId }, select: { id: true } });
  }
  // 2. upload
  const bundle = await buildAgentBundle();
  await provider.upload(providerId, bundle.files);

  // 3. start (unless a previous attempt already did and the process lives)
  const state = await provider.status(providerId);
  if (state.state !== "running") {
    const token = newToken("pdkrun");
    const fresh = await db.sandbox.updateMany({
      where: { id: sandboxId, status: { in: [...STARTED_RUN_STATUSES] } },
      data: { tokenHash: hashToken(token) },
    });
    if (fresh.count === 0) return { skipped: "ended while launching" };
    const runtime = run.agentProfile.runtime;
    await provider.start(providerId, {
      command: runtime === REFERENCE_RUNTIME ? AGENT_START_COMMAND : runtime,
      env: {
        [AGENT_ENV.BRIDGE_URL]: bridgeUrlFor(sandboxId),
        [AGENT_ENV.TOKEN]: token,
        [AGENT_ENV.RUN_ID]: sandboxId,
        [AGENT_ENV.POLICY]: run.agentProfile.policy,
        [AGENT_ENV.MODEL]: run.agentProfile.model,
        [AGENT_ENV.AGENT_CONFIG]: JSON.stringify(run.agentConfig ?? {}),
        // Nothing of the server's own: agents reach the LLM through the bridge (…/llm), which
        // holds the key, so no server secret ever enters a sandbox.
      },
      onOutput: outputToEvents(sandboxId),
      onExit: () =>
        void endRunIfAgentExited(sandboxId).catch((err: unknown) =>
          logger.warn({ err, sandboxId }, "could not end the run of an exited agent; the process watch will"),
        ),
    });
    await assertStillRunning(sandboxId, providerId);
  }

  // 4. mark running (the agent may have beaten us to it by reporting in)
  const started = await markRunning(db, sandboxId);
  if (started) await afterRunStarted(started);
  return { providerId };
}

/**
 * A runtime that dies right away (a missing binary, a syntax error) would otherwise look like a
 * launched run until the idle timeout. The sandbox is removed so the next attempt starts clean.
 */
async function assertStillRunning(sandboxId: string, providerId: string) {
  const run = await db.sandbox.findUniqueOrThrow({ where: { id: sandboxId }, select: { provider: true } });
  const provider = providerFor(run.provider);
  await new Promise((r) => setTimeout(r, START_CHECK_MS));
  const state = await provider.status(providerId);
  if (state.state === "exited" && state.exitCode !== 0) {
    await provider.remove(providerId).catch(() => {});
    await db.sandbox.update({ where: { id: sandboxId }, data: { providerId: null }, select: { id: true } });
    throw new Error(`the agent exited with code ${state.exitCode} right after starting (check the profile's runtime command)`);
  }
}

const START_CHECK_MS = 300;

async function giveUp(sandboxId: string, err: unknown, job: Job) {
  const message = err instanceof Error ? err.message : String(err);
  logger.warn({ sandboxId, attempts: job.attemptsMade + 1, err: message }, "launch failed for good");
  const run = await db.sandbox.findUnique({ where: { id: sandboxId }, select: { provider: true, providerId: true } });
  if (run?.providerId) {
    await providerFor(run.provider)
      .remove(run.providerId)
      .catch((e: unknown) => logger.warn({ err: e, sandboxId }, "cleanup after failed launch failed"));
  } else if (run) {
    // A create that failed half-way may have left a sandbox we never recorded: find it by label.
    const provider = providerFor(run.provider);
    const leftovers = await provider.list({ [RUN_LABEL]: sandboxId }).catch(() => []);
    for (const s of leftovers) await provider.remove(s.providerId).catch(() => {});
  }
  const failed = await transitionRunIfAllowed(db, { sandboxId, to: "failed", reason: "launch failed", error: message.slice(0, 2000) });
  if (failed) await afterTransition(failed);
}

/** Sandbox output becomes log events, batched so a chatty process costs few writes. */
function outputToEvents(sandboxId: string) {
  let buffer: { message: string; stream: "stdout" | "stderr" }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const lines = buffer;
    buffer = [];
    void appendEvents(
      pgPool(),
      sandboxId,
      lines.map((l) => ({
        kind: "log" as const,
        payload: { message: l.message.slice(0, 8000), stream: l.stream, level: l.stream === "stderr" ? "warn" : "info" },
      })),
      { requireActive: true },
    )
      .then(publishEvents)
      .catch(() => {
        /* the run ended; late output is dropped */
      });
  };
  return (line: string, stream: "stdout" | "stderr") => {
    if (!line.trim()) return;
    buffer.push({ message: line, stream });
    if (buffer.length >= 100) flush();
    else timer ??= setTimeout(flush, 250);
  };
}
