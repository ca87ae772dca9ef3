// Launching a run: a durable multi-step command — provision → upload → start → mark running —
// run by the launch job (server/jobs/runs/launch.ts). Each step is idempotent (the provider finds
// the sandbox it already made for the run, a started process is not started twice), so a retry or
// a crash-and-restart resumes safely. After the last failed attempt the run is `failed` with the
// error and its sandbox is removed.
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { pgPool } from "../lib/pg";
import { hashToken, newToken } from "../lib/passwords";
import { isTerminalRun, STARTED_RUN_STATUSES } from "@shared/run-status";
import { AGENT_ENV } from "@shared/bridge";
import { transitionRunIfAllowed } from "../domain/runs/lifecycle";
import { appendEvents } from "../domain/runs/events-sql";
import { markRunning } from "../domain/runs/start";
import { AGENT_START_COMMAND, buildAgentBundle } from "../../agent/bundle";
import { PADDOCK_LABEL, RUN_LABEL } from "../providers/types";
import { providerFor } from "../providers/for-run";
import { bridgeUrlFor } from "../bridge/bridge-url";
import { afterRunStarted, afterTransition, publishEvents } from "./run-effects";
import { endRunIfAgentExited } from "./run-lifecycle";

/** The runtime of the built-in agents: Paddock's reference agent, started with its bundle's command. */
export const REFERENCE_RUNTIME = "paddock-reference-agent";

/** One attempt of the launch; on the last one (`lastAttempt`) a failure also fails the run. */
export async function launchRun(runId: string, opts: { lastAttempt: boolean }) {
  try {
    return await launchSteps(runId);
  } catch (err) {
    if (opts.lastAttempt) await giveUp(runId, err);
    throw err;
  }
}

async function launchSteps(runId: string) {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      status: true,
      provider: true,
      providerId: true,
      agentConfig: true,
      agent: { select: { model: true, policy: true, runtime: true } },
    },
  });
  if (!run || isTerminalRun(run.status) || run.status === "running") return { skipped: run?.status ?? "missing" };
  if (run.status === "queued") {
    const booted = await transitionRunIfAllowed(db, { runId, to: "booting", reason: "launching" });
    if (booted) await afterTransition(booted);
  }
  const provider = providerFor(run.provider);

  // 1. provision
  let providerId = run.providerId;
  if (!providerId) {
    const sandbox = await provider.create({ runId, labels: { [PADDOCK_LABEL]: "1", [RUN_LABEL]: runId } });
    providerId = sandbox.providerId;
    await db.run.update({ where: { id: runId }, data: { providerId }, select: { id: true } });
  }
  // 2. upload
  const bundle = await buildAgentBundle();
  await provider.upload(providerId, bundle.files);

  // 3. start (unless a previous attempt already did and the process lives)
  const state = await provider.status(providerId);
  if (state.state !== "running") {
    const token = newToken("pdkrun");
    const fresh = await db.run.updateMany({
      where: { id: runId, status: { in: [...STARTED_RUN_STATUSES] } },
      data: { tokenHash: hashToken(token) },
    });
    if (fresh.count === 0) return { skipped: "ended while launching" };
    const runtime = run.agent.runtime;
    await provider.start(providerId, {
      command: runtime === REFERENCE_RUNTIME ? AGENT_START_COMMAND : runtime,
      env: {
        [AGENT_ENV.BRIDGE_URL]: bridgeUrlFor(runId),
        [AGENT_ENV.TOKEN]: token,
        [AGENT_ENV.RUN_ID]: runId,
        [AGENT_ENV.POLICY]: run.agent.policy,
        [AGENT_ENV.MODEL]: run.agent.model,
        [AGENT_ENV.AGENT_CONFIG]: JSON.stringify(run.agentConfig ?? {}),
        // Nothing of the server's own: agents reach the LLM through the bridge (…/llm), which
        // holds the key, so no server secret ever enters a sandbox.
      },
      onOutput: outputToEvents(runId),
      onExit: () =>
        void endRunIfAgentExited(runId).catch((err: unknown) =>
          logger.warn({ err, runId }, "could not end the run of an exited agent; the process watch will"),
        ),
    });
    await assertStillRunning(runId, providerId);
  }

  // 4. mark running (the agent may have beaten us to it by reporting in)
  const started = await markRunning(db, runId);
  if (started) await afterRunStarted(started);
  return { providerId };
}

/**
 * A runtime that dies right away (a missing binary, a syntax error) would otherwise look like a
 * launched run until the idle timeout. The sandbox is removed so the next attempt starts clean.
 */
async function assertStillRunning(runId: string, providerId: string) {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { provider: true } });
  const provider = providerFor(run.provider);
  await new Promise((r) => setTimeout(r, START_CHECK_MS));
  const state = await provider.status(providerId);
  if (state.state === "exited" && state.exitCode !== 0) {
    await provider.remove(providerId).catch(() => {});
    await db.run.update({ where: { id: runId }, data: { providerId: null }, select: { id: true } });
    throw new Error(`the agent exited with code ${state.exitCode} right after starting (check the agent's runtime command)`);
  }
}

const START_CHECK_MS = 300;

async function giveUp(runId: string, err: unknown) {
  const message = err instanceof Error ? err.message : String(err);
  logger.warn({ runId, err: message }, "launch failed for good");
  const run = await db.run.findUnique({ where: { id: runId }, select: { provider: true, providerId: true } });
  if (run?.providerId) {
    await providerFor(run.provider)
      .remove(run.providerId)
      .catch((e: unknown) => logger.warn({ err: e, runId }, "cleanup after failed launch failed"));
  } else if (run) {
    // A create that failed half-way may have left a sandbox we never recorded: find it by label.
    const provider = providerFor(run.provider);
    const leftovers = await provider.list({ [RUN_LABEL]: runId }).catch(() => []);
    for (const s of leftovers) await provider.remove(s.providerId).catch(() => {});
  }
  const failed = await transitionRunIfAllowed(db, { runId, to: "failed", reason: "launch failed", error: message.slice(0, 2000) });
  if (failed) await afterTransition(failed);
}

/** Sandbox output becomes log events, batched so a chatty process costs few writes. */
function outputToEvents(runId: string) {
  let buffer: { message: string; stream: "stdout" | "stderr" }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const lines = buffer;
    buffer = [];
    void appendEvents(
      pgPool(),
      runId,
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
