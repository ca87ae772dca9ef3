// Dispatch: a ready task whose dependencies are done (its project active, any retry backoff over)
// goes to the best agent by shared/agent-score.ts. Each dispatch is one transaction holding the
// task's row lock: the attempt (number attemptCount + 1, UNIQUE per task) and the task's move to
// running commit together, so two dispatchers, or a dispatcher and a claiming agent, never both
// take a task. A builtin agent's attempt starts `launching`: its run is created next, in a
// transaction that sets the attempt's runId only while it is still unset (claimAttemptRun), so a
// crash, a retry or a duplicate job never makes two runs for one attempt.
import { randomUUID } from "node:crypto";
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient, Prisma } from "../../lib/db";
import { pickAgent, type AgentForScoring } from "@shared/agent-score";
import type { TaskStatus } from "@shared/task-rules";
import { contextSnapshotSql, dependenciesDoneSql, queueOrderSql } from "./context-sql";
import { changeSelect, type TaskChange } from "./tasks";

export interface DispatchCandidate {
  id: string;
  workspaceId: string;
  requiredSpecialization: string | null;
  requestedAgentId: string | null;
  excludedAgentIds: string[];
}

/** Up to `limit` dispatchable tasks, highest priority first, then oldest. */
export async function dispatchableTasks(db: DbClient, input: { limit: number; workspaceId?: string }): Promise<DispatchCandidate[]> {
  return db.$queryRawUnsafe<DispatchCandidate[]>(
    `SELECT t.id, t."workspaceId", t."requiredSpecialization", t."requestedAgentId", t."excludedAgentIds"
       FROM tasks t JOIN projects p ON p.id = t."projectId" AND p.status = 'active'
      WHERE t.status = 'ready' AND (t."notBefore" IS NULL OR t."notBefore" <= now())
        ${input.workspaceId ? `AND t."workspaceId" = $2` : ""}
        AND ${dependenciesDoneSql("t")}
      ORDER BY ${queueOrderSql("t")}
      LIMIT $1`,
    input.limit,
    ...(input.workspaceId ? [input.workspaceId] : []),
  );
}

export type DispatchOutcome =
  | { kind: "launch"; attemptId: string; agentId: string; change: TaskChange }
  | { kind: "offered"; attemptId: string; agentId: string; change: TaskChange }
  | { kind: "waiting"; reason: "not-ready" | "backoff" | "blocked" | "project-inactive" | "no-agent" | "busy" }
  /** Left for a polling external agent of the workspace to claim. */
  | { kind: "waiting"; reason: "external"; workspaceId: string };

interface LockedTask {
  id: string;
  workspaceId: string;
  status: TaskStatus;
  notBefore: Date | null;
  requiredSpecialization: string | null;
  requestedAgentId: string | null;
  excludedAgentIds: string[];
  projectActive: boolean;
  depsDone: boolean;
}

type Candidate = AgentForScoring & { webhookUrl: string | null; taskTokenBudget: number | null };

async function candidateAgents(tx: Prisma.TransactionClient, workspaceId: string): Promise<Candidate[]> {
  const agents = await tx.agent.findMany({
    where: { active: true, OR: [{ workspaceId }, { workspaceId: null, kind: "builtin" }] },
    select: {
      id: true,
      kind: true,
      specialization: true,
      status: true,
      active: true,
      maxConcurrentTasks: true,
      tasksCompleted: true,
      tasksFailed: true,
      totalDurationMs: true,
      webhookUrl: true,
      taskTokenBudget: true,
    },
    // The workspace's own agents first: on a tie they win over the site-wide ones.
    orderBy: [{ workspaceId: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
  });
  const running = await tx.taskAttempt.groupBy({
    by: ["agentId"],
    where: { agentId: { in: agents.map((a) => a.id) }, status: { in: ["launching", "running"] } },
    _count: { _all: true },
  });
  const counts = new Map(running.map((r) => [r.agentId, r._count._all]));
  return agents.map((a) => ({ ...a, totalDurationMs: Number(a.totalDurationMs), runningTasks: counts.get(a.id) ?? 0 }));
}

/**
 * Dispatches one task if it can go now. A builtin agent's attempt is `launching` (the caller
 * creates its run); an external agent with a webhook URL is offered the task (a claimed attempt
 * with a lease, delivered as task.assigned); a polling external agent claims it itself.
 */
export async function dispatchTask(
  db: DbClient,
  input: { taskId: string; dispatchedById?: string | null; now: Date; leaseSeconds: number },
): Promise<DispatchOutcome> {
  return inTransaction<DispatchOutcome>(db, async (tx) => {
    const rows = await tx.$queryRawUnsafe<LockedTask[]>(
      `SELECT t.id, t."workspaceId", t.status, t."notBefore", t."requiredSpecialization", t."requestedAgentId", t."excludedAgentIds",
              (p.status = 'active') AS "projectActive", ${dependenciesDoneSql("t")} AS "depsDone"
         FROM tasks t JOIN projects p ON p.id = t."projectId"
        WHERE t.id = $1
        FOR UPDATE OF t SKIP LOCKED`,
      input.taskId,
    );
    const task = rows[0];
    if (!task || task.status !== "ready") return { kind: "waiting", reason: "not-ready" };
    if (task.notBefore && task.notBefore > input.now) return { kind: "waiting", reason: "backoff" };
    if (!task.projectActive) return { kind: "waiting", reason: "project-inactive" };
    if (!task.depsDone) return { kind: "waiting", reason: "blocked" };
    const best = pickAgent(await candidateAgents(tx, task.workspaceId), task);
    if (!best) return { kind: "waiting", reason: "no-agent" };
    const agent = best.agent;
    if (agent.kind === "external" && !agent.webhookUrl) return { kind: "waiting", reason: "external", workspaceId: task.workspaceId };
    // The agent's slots are counted again under its row lock: two dispatchers cannot both fill its last one.
    await tx.$queryRaw`SELECT 1 FROM agents WHERE id = ${agent.id} FOR NO KEY UPDATE`;
    const running = await tx.taskAttempt.count({ where: { agentId: agent.id, status: { in: ["launching", "running"] } } });
    if (running >= agent.maxConcurrentTasks) return { kind: "waiting", reason: "busy" };
    const attemptId = randomUUID();
    const builtin = agent.kind === "builtin";
    await tx.$executeRaw`
      UPDATE tasks SET status = 'running', "attemptCount" = "attemptCount" + 1, "assignedAgentId" = ${agent.id},
             "startedAt" = coalesce("startedAt", now()), "notBefore" = NULL, "updatedAt" = now()
       WHERE id = ${task.id}`;
    await tx.$executeRawUnsafe(
      `INSERT INTO task_attempts (id, "taskId", number, "agentId", status, "contextSnapshot", "claimedAt", "leaseExpiresAt",
                                  "tokenBudget", "dispatchedById", "createdAt", "updatedAt")
       SELECT $1, t.id, t."attemptCount", $2, $3::"TaskAttemptStatus", ${contextSnapshotSql("t", 't."attemptCount"')},
              CASE WHEN $4 THEN NULL ELSE now() END, CASE WHEN $4 THEN NULL ELSE now() + $5 * interval '1 second' END,
              $6, $7, now(), now()
         FROM tasks t WHERE t.id = $8`,
      attemptId,
      agent.id,
      builtin ? "launching" : "running",
      builtin,
      input.leaseSeconds,
      agent.taskTokenBudget,
      input.dispatchedById ?? null,
      task.id,
    );
    const change = await tx.task.findUniqueOrThrow({ where: { id: task.id }, select: changeSelect });
    return builtin ? { kind: "launch", attemptId, agentId: agent.id, change } : { kind: "offered", attemptId, agentId: agent.id, change };
  });
}

/** Thrown inside a run's creating transaction when the attempt already has its run: the new run is rolled back. */
export class AttemptAlreadyLaunched extends AppError {
  constructor() {
    super("CONFLICT", "this attempt already has its run");
  }
}

/**
 * Binds a new run to its attempt, inside the transaction that creates the run: only a launching
 * attempt without a run takes it, so of two racing launches exactly one commits.
 */
export async function claimAttemptRun(tx: Prisma.TransactionClient, input: { attemptId: string; runId: string }) {
  const n = await tx.$executeRaw`
    UPDATE task_attempts SET "runId" = ${input.runId}, status = 'running', "claimedAt" = now(), "updatedAt" = now()
     WHERE id = ${input.attemptId} AND status = 'launching' AND "runId" IS NULL`;
  if (n === 0) throw new AttemptAlreadyLaunched();
}

/** What a builtin attempt's run is made from: the task, the agent, and who pays. */
export async function attemptToLaunch(db: DbClient, attemptId: string) {
  return db.taskAttempt.findUnique({
    where: { id: attemptId },
    select: {
      id: true,
      status: true,
      runId: true,
      agentId: true,
      dispatchedById: true,
      task: {
        select: {
          id: true,
          title: true,
          description: true,
          metric: true,
          targetValue: true,
          agentConfig: true,
          workspaceId: true,
          createdById: true,
        },
      },
    },
  });
}

/** Launching attempts without a run, last touched before `before` (their dispatcher died or is slow): launched again. */
export async function staleLaunchingAttempts(db: DbClient, input: { before: Date; limit: number }) {
  return db.taskAttempt.findMany({
    where: { status: "launching", runId: null, updatedAt: { lt: input.before } },
    select: { id: true },
    take: input.limit,
  });
}

/** The task a claim just took, as a live update needs it. */
export async function taskChangeOf(db: DbClient, taskId: string): Promise<TaskChange | null> {
  return db.task.findUnique({ where: { id: taskId }, select: changeSelect });
}
