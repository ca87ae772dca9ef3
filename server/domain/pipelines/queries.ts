// What pipeline.get / list and batch.get show: each step in template order with its task's state,
// attempts (the agent's, or the external job's) and output, and where a failed pipeline stopped.
import type { DbClient, Prisma } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { findPipelineTemplate } from "@shared/pipeline-templates";
import { pipelinePhase } from "@shared/pipeline-status";
import { assertCanView, type PipelineActor } from "./access";

const pipelineNotFound = () => new AppError("NOT_FOUND", "no pipeline with that id among your workspaces", { field: "id" });
const batchNotFound = () => new AppError("NOT_FOUND", "no batch with that id among your workspaces", { field: "id" });

const stepTaskSelect = {
  id: true,
  stepKey: true,
  title: true,
  status: true,
  attemptCount: true,
  maxRetries: true,
  resultSummary: true,
  resultOutput: true,
  error: true,
  startedAt: true,
  finishedAt: true,
  assignedAgent: { select: { id: true, name: true } },
  attempts: {
    select: {
      id: true,
      number: true,
      status: true,
      runId: true,
      error: true,
      createdAt: true,
      finishedAt: true,
      agent: { select: { id: true, name: true } },
    },
    orderBy: { number: "asc" },
  },
  externalJobs: {
    select: {
      id: true,
      attempt: true,
      maxAttempts: true,
      service: true,
      externalId: true,
      status: true,
      completedBy: true,
      error: true,
      output: true,
      polls: true,
      timeoutAt: true,
      createdAt: true,
      finishedAt: true,
    },
    orderBy: { attempt: "asc" },
  },
} satisfies Prisma.TaskSelect;

const pipelineSelect = {
  id: true,
  projectId: true,
  workspaceId: true,
  templateKey: true,
  input: true,
  status: true,
  failedStepKey: true,
  error: true,
  batchId: true,
  createdAt: true,
  finishedAt: true,
  project: { select: { name: true } },
  tasks: { select: stepTaskSelect },
} satisfies Prisma.PipelineSelect;

type PipelineRow = Prisma.PipelineGetPayload<{ select: typeof pipelineSelect }>;

function shape(p: PipelineRow) {
  const template = findPipelineTemplate(p.templateKey);
  const byKey = new Map(p.tasks.map((t) => [t.stepKey, t]));
  const steps = (template?.steps ?? []).map((step) => {
    const task = byKey.get(step.key);
    return {
      key: step.key,
      name: step.name,
      specialization: step.specialization,
      dependsOn: [...step.dependsOn],
      external: step.externalJob ? step.externalJob.service : null,
      task: task ?? null,
    };
  });
  const { tasks: _tasks, project, ...rest } = p;
  return {
    ...rest,
    projectName: project.name,
    templateName: template?.name ?? p.templateKey,
    phase: pipelinePhase(
      p.status,
      p.tasks.map((t) => t.status),
    ),
    steps,
  };
}

export type PipelineView = ReturnType<typeof shape>;

export async function getPipeline(db: DbClient, actor: PipelineActor, id: string): Promise<PipelineView> {
  const p = await db.pipeline.findUnique({ where: { id }, select: pipelineSelect });
  if (!p) throw pipelineNotFound();
  await assertCanView(db, actor, p.workspaceId, "id", "pipeline");
  return shape(p);
}

export async function listPipelines(db: DbClient, actor: PipelineActor, args: { projectId: string; batchId?: string; limit: number }) {
  const project = await db.project.findUnique({ where: { id: args.projectId }, select: { workspaceId: true } });
  const notFound = () => new AppError("NOT_FOUND", "no project with that id among your workspaces", { field: "projectId" });
  if (!project) throw notFound();
  await assertCanView(db, actor, project.workspaceId, "projectId", "project");
  const rows = await db.pipeline.findMany({
    where: { projectId: args.projectId, ...(args.batchId ? { batchId: args.batchId } : {}) },
    select: pipelineSelect,
    orderBy: { createdAt: "desc" },
    take: args.limit,
  });
  return rows.map(shape);
}

const batchSelect = {
  id: true,
  workspaceId: true,
  projectId: true,
  templateKey: true,
  idempotencyKey: true,
  inputsCount: true,
  pendingCount: true,
  runningCount: true,
  doneCount: true,
  failedCount: true,
  status: true,
  createdAt: true,
  finishedAt: true,
} satisfies Prisma.PipelineBatchSelect;

function shapeBatch(b: Prisma.PipelineBatchGetPayload<{ select: typeof batchSelect }>) {
  const { pendingCount, runningCount, doneCount, failedCount, ...rest } = b;
  return { ...rest, counts: { pending: pendingCount, running: runningCount, done: doneCount, failed: failedCount } };
}

export async function getBatch(db: DbClient, actor: PipelineActor, id: string) {
  const b = await db.pipelineBatch.findUnique({ where: { id }, select: batchSelect });
  if (!b) throw batchNotFound();
  await assertCanView(db, actor, b.workspaceId, "id", "batch");
  return shapeBatch(b);
}

export async function listBatches(db: DbClient, actor: PipelineActor, projectId: string) {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { workspaceId: true } });
  const notFound = () => new AppError("NOT_FOUND", "no project with that id among your workspaces", { field: "projectId" });
  if (!project) throw notFound();
  await assertCanView(db, actor, project.workspaceId, "projectId", "project");
  const rows = await db.pipelineBatch.findMany({ where: { projectId }, select: batchSelect, orderBy: { createdAt: "desc" }, take: 50 });
  return rows.map(shapeBatch);
}
