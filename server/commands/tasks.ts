// The commands of work: each runs the domain's transaction, then its effects — task:update to the
// workspace's members, a wake-up for the dispatcher and for external agents long-polling for work,
// a builtin attempt's run, a webhook delivery. Routers, the agent API and jobs call these.
//
// Who pays a builtin agent's run: the member who pressed "Process" (task.dispatch) for that
// attempt, otherwise the task's creator. The credits (TASK_RUN_CREDITS_CENTS) move from their
// balance to the run like any run's budget, and what the run does not spend returns to them.
import { config } from "../config";
import { db } from "../lib/db";
import { pgPool } from "../lib/pg";
import { AppError } from "../lib/errors";
import { logger } from "../lib/logger";
import type { CreateTaskInput, TaskResultBody, UpdateTaskInput } from "@shared/work";
import * as tasks from "../domain/tasks/tasks";
import type { TaskChange } from "../domain/tasks/tasks";
import { finishAgentAttempt, finishAttempt, recordAttemptProgress, recordHeartbeat, type FinishedAttempt } from "../domain/tasks/attempts";
import {
  AttemptAlreadyLaunched,
  attemptToLaunch,
  claimAttemptRun,
  dispatchableTasks,
  dispatchTask as dispatchTaskTx,
  type DispatchOutcome,
} from "../domain/tasks/dispatch";
import { claimNextTask, type ClaimedTask } from "../domain/tasks/claim-sql";
import { createDelivery } from "../domain/agents/webhooks";
import { createTaskRun } from "./runs";
import { stopRun } from "./stop-run";
import { afterAttemptFinished, afterTaskChanges, enqueueDelivery, followTaskChanges, publishTaskChange, taskSignal } from "./task-effects";

export {
  afterAttemptFinished,
  afterTaskChanges,
  afterTaskRunEnded,
  enqueueDelivery,
  publishTaskChange,
  taskSignal,
  wakeDispatch,
} from "./task-effects";

const now = () => new Date();

// ── people's commands ──

export async function createTask(input: CreateTaskInput & { userId: string }) {
  const task = await tasks.createTask(db, { ...input, now: now() });
  await afterTaskChanges([tasks.changeOf(task)]);
  return tasks.taskView(task);
}

export async function updateTask(input: UpdateTaskInput & { userId: string }) {
  const task = await tasks.updateTask(db, { ...input, now: now() });
  await afterTaskChanges([tasks.changeOf(task)]);
  return task;
}

export async function cancelTask(input: { userId: string; taskId: string }) {
  const result = await tasks.cancelTask(db, { ...input, now: now() });
  await stopRunsOfCanceledTasks(result.runIds);
  await afterTaskChanges([result.change]);
  return { id: result.change.id, status: result.change.status };
}

/** The runs of attempts a cancel ended: stopped (their end then finds the attempt already canceled). */
export async function stopRunsOfCanceledTasks(runIds: string[]): Promise<void> {
  for (const runId of runIds) {
    await stopRun(runId, { to: "canceled", reason: "its task was canceled" }).catch((err: unknown) =>
      logger.warn({ err, runId }, "could not stop the run of a canceled task; its idle timeout will"),
    );
  }
}

export async function retryTask(input: { userId: string; taskId: string }) {
  const changes = await tasks.retryTask(db, input);
  await afterTaskChanges(changes);
  const c = changes[0]!;
  return { id: c.id, status: c.status };
}

/**
 * The operator's "Process": the task becomes ready (pinned to `agentId` if given) and is
 * dispatched now if it can be; the member pressing it pays a builtin agent's run.
 */
export async function dispatchTask(input: { userId: string; taskId: string; agentId?: string | undefined }) {
  const ready = await tasks.markReadyForDispatch(db, input);
  publishTaskChange(ready);
  const outcome = await dispatchOne(input.taskId, input.userId);
  if (outcome.kind === "waiting") {
    // Maybe an external agent takes it, or it waits on its dependencies: tell the pollers.
    await taskSignal.signal(ready.workspaceId);
    return { id: input.taskId, dispatched: false as const, waiting: outcome.reason };
  }
  return { id: input.taskId, dispatched: true as const, attemptId: outcome.attemptId, agentId: outcome.agentId };
}

// ── dispatch ──

/** Dispatches one task and carries out what the dispatch decided (launch a run, deliver a webhook). */
export async function dispatchOne(taskId: string, dispatchedById: string | null = null): Promise<DispatchOutcome> {
  const outcome = await dispatchTaskTx(db, { taskId, dispatchedById, now: now(), leaseSeconds: config.TASK_LEASE_SECONDS });
  // The best agent polls: wake the workspace's long-polls (e.g. a retry whose backoff just ended).
  if (outcome.kind === "waiting" && outcome.reason === "external") await taskSignal.signal(outcome.workspaceId);
  if (outcome.kind === "waiting") return outcome;
  publishTaskChange(outcome.change);
  await followTaskChanges([outcome.change]);
  if (outcome.kind === "launch") await launchAttempt(outcome.attemptId);
  else await offerByWebhook(outcome.attemptId);
  return outcome;
}

/**
 * One pass of the dispatcher: the dispatchable tasks, best first, each dispatched if an agent can
 * take it. Once a task is left waiting for want of an agent (none free, or the best one polls), the
 * pass skips the other tasks with the same needs (workspace, specialization, pinned and excluded agents): the
 * answer would be the same, and a long queue left to external agents costs one look per pass.
 */
export async function runDispatchPass(limit = 200): Promise<{ dispatched: number; waiting: number }> {
  const candidates = await dispatchableTasks(db, { limit });
  const settled = new Set<string>();
  let dispatched = 0;
  for (const task of candidates) {
    const needs = `${task.workspaceId}|${task.requiredSpecialization ?? ""}|${task.requestedAgentId ?? ""}|${[...task.excludedAgentIds].sort().join(",")}`;
    if (settled.has(needs)) continue;
    const outcome = await dispatchOne(task.id);
    if (outcome.kind !== "waiting") dispatched += 1;
    else if (outcome.reason === "external" || outcome.reason === "no-agent" || outcome.reason === "busy") settled.add(needs);
  }
  return { dispatched, waiting: candidates.length - dispatched };
}

/**
 * Creates the run of a builtin agent's attempt, exactly once: the run's creating transaction
 * binds it to the attempt only if the attempt has none yet (claimAttemptRun), so a second
 * launch (a duplicate job, a sweep after a crash) rolls its run back. A refusal (the payer lacks
 * credits, or left the workspace) fails the attempt, which is then retried or fails the task.
 */
export async function launchAttempt(attemptId: string): Promise<{ runId: string | null }> {
  const attempt = await attemptToLaunch(db, attemptId);
  if (!attempt || attempt.status !== "launching" || attempt.runId) return { runId: attempt?.runId ?? null };
  const payerId = attempt.dispatchedById ?? attempt.task.createdById;
  const payer = await db.user.findUnique({ where: { id: payerId }, select: { role: true } });
  const t = attempt.task;
  try {
    const run = await createTaskRun({
      userId: payerId,
      role: payer?.role ?? "member",
      run: {
        goal: (t.description ? `${t.title}\n\n${t.description}` : t.title).slice(0, 2000),
        metric: t.metric,
        targetValue: t.targetValue,
        agentId: attempt.agentId,
        durationMinutes: config.TASK_RUN_DURATION_MINUTES,
        credits: config.TASK_RUN_CREDITS_CENTS,
        workspaceId: t.workspaceId,
        visibility: "workspace",
        agentConfig: (t.agentConfig ?? {}) as Record<string, unknown>,
      },
      onCreated: (tx, runId) => claimAttemptRun(tx, { attemptId, runId }),
    });
    return { runId: run.id };
  } catch (err) {
    if (err instanceof AttemptAlreadyLaunched) return { runId: null };
    if (!(err instanceof AppError)) throw err;
    logger.warn({ err: err.message, attemptId }, "the run of a task's attempt was refused");
    const finished = await finishAttempt(db, {
      attemptId,
      now: now(),
      retryBackoffMs: config.TASK_RETRY_BACKOFF_MS,
      result: { outcome: "failed", error: `its run could not start: ${err.message}` },
    });
    await afterAttemptFinished(finished);
    return { runId: null };
  }
}

/** A webhook agent's attempt: the task is pushed to it as a signed task.assigned delivery. */
async function offerByWebhook(attemptId: string): Promise<void> {
  const attempt = await db.taskAttempt.findUnique({
    where: { id: attemptId },
    select: {
      id: true,
      taskId: true,
      number: true,
      leaseExpiresAt: true,
      contextSnapshot: true,
      agent: { select: { id: true, webhookUrl: true } },
    },
  });
  if (!attempt?.agent.webhookUrl) return;
  const delivery = await createDelivery(db, {
    agentId: attempt.agent.id,
    taskId: attempt.taskId,
    url: attempt.agent.webhookUrl,
    eventType: "task.assigned",
    now: now(),
    data: {
      taskId: attempt.taskId,
      attemptId: attempt.id,
      attempt: attempt.number,
      leaseExpiresAt: attempt.leaseExpiresAt?.toISOString() ?? null,
      context: attempt.contextSnapshot,
      resultUrl: `${config.PUBLIC_URL}/api/agents/v1/tasks/${attempt.taskId}/result`,
      webhookResultUrl: `${config.PUBLIC_URL}/api/webhooks/task-result`,
    },
  });
  await enqueueDelivery(delivery.id);
}

// ── external agents (the agent API) ──

/**
 * GET /tasks/next: claims a task now, or waits up to `waitSeconds` for one (woken when tasks of
 * its workspace become ready), or answers null.
 */
export async function claimTaskForAgent(input: { agentId: string; workspaceId: string; waitSeconds: number; signal: AbortSignal }) {
  const claim = async () => {
    const claimed = await claimNextTask(pgPool(), {
      agentId: input.agentId,
      workspaceId: input.workspaceId,
      leaseSeconds: config.TASK_LEASE_SECONDS,
    });
    if (claimed) await publishClaim(claimed, input);
    return claimed;
  };
  // The busy path: work is waiting, no subscription needed.
  const first = await claim();
  if (first || input.waitSeconds === 0) return first;
  const deadline = Date.now() + input.waitSeconds * 1000;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || input.signal.aborted) return claim();
    // Listen before looking again, so tasks made ready in between wake this poll.
    const listener = await taskSignal.listen(input.workspaceId, left, input.signal);
    if (!listener) return claim();
    try {
      const claimed = await claim();
      if (claimed) return claimed;
      await listener.woken;
    } finally {
      await listener.done();
    }
  }
}

/** A claimed task's task:update, and its pipeline's (and batch's) move. */
async function publishClaim(c: ClaimedTask, agent: { agentId: string; workspaceId: string }) {
  const change: TaskChange = {
    id: c.taskId,
    projectId: c.context.project.id,
    workspaceId: agent.workspaceId,
    status: "running",
    priority: c.context.task.priority,
    assignedAgentId: agent.agentId,
    attemptCount: c.attempt,
    updatedAt: new Date(),
    pipelineId: c.pipelineId,
  };
  publishTaskChange(change);
  await followTaskChanges([change]);
}

export async function reportTaskResult(input: { agentId: string; taskId: string; body: TaskResultBody }) {
  const finished = await finishAgentAttempt(pgPool(), db, {
    agentId: input.agentId,
    taskId: input.taskId,
    now: now(),
    retryBackoffMs: config.TASK_RETRY_BACKOFF_MS,
    result: resultOf(input.body),
  });
  await afterAttemptFinished(finished);
  return finishedView(finished);
}

export function resultOf(body: TaskResultBody) {
  return {
    outcome: body.outcome,
    summary: body.summary,
    output: body.output,
    artifacts: body.files ?? null,
    error: body.outcome === "failed" ? body.summary || "the agent reported a failure" : null,
    ...(body.costCents !== undefined ? { costCents: body.costCents } : {}),
    ...(body.tokensUsed !== undefined ? { tokensUsed: body.tokensUsed } : {}),
  };
}

export function finishedView(f: FinishedAttempt | null) {
  if (!f) throw new AppError("CONFLICT", "this attempt already ended: its result was recorded before", { field: "taskId" });
  return {
    taskId: f.change?.id ?? null,
    attemptId: f.attemptId,
    outcome: f.outcome,
    taskStatus: f.change?.status ?? null,
    retryAt: f.retryAt,
  };
}

export async function reportTaskProgress(input: { agentId: string; taskId: string; progress: unknown }) {
  return recordAttemptProgress(db, { ...input, now: now(), leaseSeconds: config.TASK_LEASE_SECONDS });
}

export async function agentHeartbeat(input: { agentId: string; status: "available" | "busy" }) {
  const result = await recordHeartbeat(db, { ...input, now: now(), leaseSeconds: config.TASK_LEASE_SECONDS });
  return { ok: true, ...result, leaseSeconds: config.TASK_LEASE_SECONDS, offlineAfterSeconds: config.AGENT_OFFLINE_AFTER_SECONDS };
}
