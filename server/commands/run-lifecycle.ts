// The commands the run jobs call (server/jobs/runs/): a run's deadline, its verification, the end
// of an agent process that exited, the cleanup of its sandbox, and the sweeps that back all of them
// up. Each changes runs through stopRun (or the domain) and then sends the effects; the job files
// only parse their payload and call one of these.
import { config } from "../config";
import { db } from "../lib/db";
import { logger } from "../lib/logger";
import { isLiveRun, isStartedRun, isTerminalRun, LIVE_RUN_STATUSES } from "@shared/run-status";
import { lastNumberPrinted, verifiedEnd, type VerifyTrigger } from "../domain/runs/verification";
import { idleRuns, overdueRuns, pendingVerifications, stalledBootingRuns } from "../domain/runs/sweeps";
import { enqueue } from "../jobs/queues";
import { launchJobSpec, verifyJobSpec } from "../jobs/runs/specs";
import { availableProviders, destroySandbox, providerFor } from "../providers/for-run";
import { PADDOCK_LABEL, RUN_LABEL } from "../providers/types";
import { stopRun } from "./stop-run";

// ── deadline and verification ──

export function enqueueVerify(runId: string, trigger: VerifyTrigger) {
  return enqueue(verifyJobSpec, { runId, trigger }, { jobId: `verify-${runId}` });
}

/** The expiry job is due: ends the run unless its deadline moved later (a job of an earlier schedule). */
export async function expireRunWhenDue(runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { expiresAt: true } });
  if (run?.expiresAt && run.expiresAt.getTime() > Date.now() + 1000) return { early: true };
  return expireRun(runId);
}

/**
 * The one place a deadline is decided: a run with a verifier is measured by it first (the verify
 * job); any other run succeeds if its progress reached the target (transitionRun), else expires.
 */
export async function expireRun(runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, verifier: true } });
  if (!run || !isStartedRun(run.status)) return { skipped: true };
  // Deduplicated by id with a verification the agent's completion already asked for.
  if (run.verifier && run.status === "running") {
    // Marked verifying (so the sweep's backstop applies if the job is lost), then measured.
    await db.run.updateMany({ where: { id: runId, verifyRequestedAt: null }, data: { verifyRequestedAt: new Date() } });
    await enqueueVerify(runId, "deadline");
    return { verifying: true };
  }
  return stopRun(runId, { to: "expired", reason: "duration elapsed" });
}

/**
 * Runs the run's verifier inside its sandbox and ends the run on what it measured. While it runs
 * the run stays live with verifyRequestedAt set: the idle sweep leaves it alone, expiry enqueues
 * the same job (deduplicated by id), and the lifecycle sweep fails a verification that never finished.
 */
export async function verifyRun(runId: string, trigger: VerifyTrigger, opts: { lastAttempt: boolean } = { lastAttempt: true }) {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { status: true, verifier: true, provider: true, providerId: true, targetValue: true },
  });
  if (!run || !isLiveRun(run.status) || !run.verifier) return { skipped: true };
  // The last number printed counts whatever the exit status (a test runner that exits 1 still
  // printed how many tests passed); a verifier killed by its timeout, or not run, measured nothing.
  let output: string;
  let measured: number | null = null;
  if (!run.providerId) output = "the run has no sandbox to run its verifier in";
  else {
    try {
      const result = await providerFor(run.provider).exec(run.providerId, run.verifier, { timeoutMs: config.VERIFY_TIMEOUT_MS });
      output = result.output;
      if (result.exitCode !== null) measured = lastNumberPrinted(output);
    } catch (err) {
      // A provider hiccup is retried; on the last attempt the run is simply not verified.
      if (!opts.lastAttempt) throw err;
      logger.warn({ err, runId }, "the verifier could not be run; the run ends unverified");
      output = `the verifier could not be run: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const end = verifiedEnd(measured, run.targetValue, trigger);
  return stopRun(runId, { ...end, set: { verifierOutput: output, verifiedProgress: measured, verifiedAt: new Date() } });
}

// ── agent processes and sandboxes ──

/**
 * Ends a running run whose agent process is gone, as `failed`; true if this call ended it. An
 * agent that exits without reporting (a crash, an unhandled error) would otherwise leave its run
 * `running` with an open pool until the idle timeout. Called on the local provider's exit
 * notice (the launch) and by the process watch, which covers Daytona and a worker that restarted.
 */
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

/** Asks the provider about every running run's agent process; ends those that exited. */
export async function watchAgentProcesses(): Promise<{ checked: number; ended: number }> {
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
}

/** After a run ends: stop its process and delete its sandbox (artifacts live elsewhere). */
export async function finalizeRun(runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, provider: true, providerId: true } });
  if (!run || !isTerminalRun(run.status)) return { skipped: true };
  await destroySandbox(run.provider, run.providerId);
  return { removed: run.providerId };
}

// ── sweeps ──

/**
 * Expires runs past their duration whose expiry job did not fire, cancels running runs idle past
 * their timeout (reason `idle`), fails runs stuck in `booting` past BOOTING_TIMEOUT_MINUTES (a
 * launch that stalled, a worker that died: their credits return with the transition, and their
 * pool is refunded because they never started), and fails verifications that never finished.
 */
export async function sweepRunLifecycle() {
  const scale = config.MINUTE_SECONDS;
  const idle = await idleRuns(db, { minuteSeconds: scale, limit: 500 });
  const expired = await overdueRuns(db, { limit: 500 });
  const stalled = await stalledBootingRuns(db, { seconds: config.BOOTING_TIMEOUT_MINUTES * scale, limit: 500 });
  // Expiry first: a run that is both over time and idle ran its course and did not make it.
  for (const { id } of expired) await expireRun(id);
  // Not a run just expired: one with a verifier is being measured now, not idle.
  const expiredIds = new Set(expired.map((r) => r.id));
  for (const { id } of idle) if (!expiredIds.has(id)) await stopRun(id, { to: "canceled", reason: "idle" });
  for (const { id } of stalled) {
    await stopRun(id, { to: "failed", reason: `never started: still booting after ${config.BOOTING_TIMEOUT_MINUTES} minutes` });
  }
  // Verifications asked for but never finished (the job was lost, or failed every attempt).
  const stuck = await pendingVerifications(db, { before: new Date(Date.now() - 3 * config.VERIFY_TIMEOUT_MS - 60_000), limit: 100 });
  for (const { id } of stuck) await stopRun(id, { to: "failed", reason: "verification did not finish" });
  return { idle: idle.length, expired: expired.length, stalled: stalled.length, unverified: stuck.length };
}

/**
 * Housekeeping: removes provider sandboxes whose run is over or unknown (missed cleanups, crashed
 * workers); enqueues again the launch of runs stuck in `queued` (Redis was briefly down at
 * create), and the verification of runs whose agent completed while Redis was down.
 */
export async function reapSandboxes() {
  let removed = 0;
  for (const name of availableProviders()) {
    const provider = providerFor(name);
    const sandboxes = await provider.list({ [PADDOCK_LABEL]: "1" }).catch((err: unknown) => {
      logger.warn({ err, provider: name }, "reaper could not list sandboxes");
      return [];
    });
    const runIds = sandboxes.map((s) => s.labels[RUN_LABEL]).filter((id): id is string => Boolean(id));
    const live = new Set(
      (await db.run.findMany({ where: { id: { in: runIds }, status: { in: [...LIVE_RUN_STATUSES] } }, select: { id: true } })).map(
        (r) => r.id,
      ),
    );
    for (const s of sandboxes) {
      const runId = s.labels[RUN_LABEL];
      if (runId && live.has(runId)) continue;
      await provider.remove(s.providerId).then(
        () => (removed += 1),
        (err: unknown) => logger.warn({ err, providerId: s.providerId }, "reaper could not remove a sandbox"),
      );
    }
  }
  const stuck = await db.run.findMany({
    where: { status: "queued", createdAt: { lt: new Date(Date.now() - 30_000) } },
    select: { id: true },
    take: 100,
  });
  for (const { id } of stuck) await enqueue(launchJobSpec, { runId: id }, { jobId: `launch-${id}` });
  // Verifications asked for while Redis was down (the job id makes a repeat harmless).
  const unverified = await pendingVerifications(db, { before: new Date(Date.now() - 30_000), limit: 100 });
  for (const r of unverified) await enqueueVerify(r.id, r.expiresAt && r.expiresAt < new Date() ? "deadline" : "completed");
  return { removed, requeued: stuck.length + unverified.length };
}
