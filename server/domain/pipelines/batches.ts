// Batches: one template started over many inputs (a campaign). startBatch records the batch once
// per (workspace, idempotency key) — a double click, or a retried request, gets the same batch —
// and expandBatch makes its pipelines, once per input index (UNIQUE(batchId, batchIndex)), so an
// expansion cut short by a crash is finished by the next without making any twice. The counts are
// recomputed from the pipelines, never incremented, so they cannot drift.
import { inTransaction, Prisma, type Db, type DbClient } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { batchComplete, type BatchCounts } from "@shared/pipeline-status";
import type { PipelineActor } from "./access";
import { projectForStart } from "./access";
import { inputProblem } from "@shared/pipeline-templates";
import { createPipeline, requireTemplate, type StartedPipeline } from "./start";

export const MAX_BATCH_INPUTS = 1_000;

export async function startBatch(
  db: DbClient,
  actor: PipelineActor,
  args: { projectId: string; templateKey: string; inputs: Record<string, unknown>[]; idempotencyKey: string },
): Promise<{ batchId: string; created: boolean }> {
  const template = requireTemplate(args.templateKey);
  if (args.inputs.length === 0) throw new AppError("BAD_REQUEST", "a batch needs at least one input", { field: "inputs" });
  if (args.inputs.length > MAX_BATCH_INPUTS) {
    throw new AppError("BAD_REQUEST", `a batch holds at most ${MAX_BATCH_INPUTS} inputs`, { field: "inputs" });
  }
  for (const [i, input] of args.inputs.entries()) {
    const problem = inputProblem(template, input);
    if (problem)
      throw new AppError("BAD_REQUEST", `input ${i + 1}: ${problem.message}`, { field: problem.field.replace(/^input\./, `inputs.${i}.`) });
  }
  const project = await projectForStart(db, actor, args.projectId);
  const existing = () =>
    db.pipelineBatch.findUnique({
      where: { workspaceId_idempotencyKey: { workspaceId: project.workspaceId, idempotencyKey: args.idempotencyKey } },
      select: { id: true, projectId: true, templateKey: true, inputsCount: true },
    });
  const same = async () => {
    const found = await existing();
    if (!found) return null;
    if (found.projectId !== project.id || found.templateKey !== template.key || found.inputsCount !== args.inputs.length) {
      throw new AppError("CONFLICT", "this idempotency key already started another batch: use a new key for a new batch", {
        field: "idempotencyKey",
      });
    }
    return { batchId: found.id, created: false };
  };
  const before = await same();
  if (before) return before;
  try {
    const batch = await db.pipelineBatch.create({
      data: {
        workspaceId: project.workspaceId,
        projectId: project.id,
        templateKey: template.key,
        idempotencyKey: args.idempotencyKey,
        inputs: args.inputs as Prisma.InputJsonValue,
        inputsCount: args.inputs.length,
        pendingCount: args.inputs.length,
        createdById: actor.userId,
      },
      select: { id: true },
    });
    return { batchId: batch.id, created: true };
  } catch (e) {
    // Two concurrent starts with one key: the loser answers with the winner's batch.
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return (await same())!;
    throw e;
  }
}

/** Makes the batch's missing pipelines (each in its own transaction); returns those made now. */
export async function expandBatch(db: Db, batchId: string): Promise<StartedPipeline[]> {
  const batch = await db.pipelineBatch.findUniqueOrThrow({
    where: { id: batchId },
    select: {
      id: true,
      projectId: true,
      workspaceId: true,
      templateKey: true,
      inputs: true,
      createdById: true,
      project: { select: { deadline: true } },
      pipelines: { select: { batchIndex: true } },
    },
  });
  const template = requireTemplate(batch.templateKey);
  const made = new Set(batch.pipelines.map((p) => p.batchIndex));
  const inputs = batch.inputs as Record<string, string>[];
  const started: StartedPipeline[] = [];
  for (const [index, input] of inputs.entries()) {
    if (made.has(index)) continue;
    try {
      started.push(
        await db.$transaction((tx) =>
          createPipeline(tx, {
            project: { id: batch.projectId, workspaceId: batch.workspaceId, deadline: batch.project.deadline },
            template,
            input,
            createdById: batch.createdById,
            batch: { id: batch.id, index },
          }),
        ),
      );
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") continue; // made meanwhile by another expansion
      throw e;
    }
  }
  return started;
}

export interface BatchState {
  batchId: string;
  workspaceId: string;
  projectId: string;
  inputsCount: number;
  counts: BatchCounts;
  status: "running" | "completed";
  /** The counts or status changed with this refresh. */
  changed: boolean;
}

/**
 * Recomputes the batch's counts from its pipelines (and completes it when all have ended, or runs
 * it again when a retried step reopened one). The batch's row is locked before counting, so of two
 * recounts racing the later one counts last and what it writes is never older than what it replaced.
 */
export async function refreshBatchCounts(db: DbClient, batchId: string, now = new Date()): Promise<BatchState> {
  return inTransaction(db, async (tx) => {
    const [batch] = await tx.$queryRaw<
      {
        workspaceId: string;
        projectId: string;
        inputsCount: number;
        status: "running" | "completed";
        pendingCount: number;
        runningCount: number;
        doneCount: number;
        failedCount: number;
      }[]
    >`SELECT "workspaceId", "projectId", "inputsCount", status::text AS status, "pendingCount", "runningCount", "doneCount", "failedCount"
        FROM pipeline_batches WHERE id = ${batchId} FOR UPDATE`;
    if (!batch) throw new AppError("NOT_FOUND", "no batch with that id", { field: "batchId" });
    const [row] = await tx.$queryRaw<{ made: number; running: number; done: number; failed: number }[]>`
      SELECT count(*)::int AS "made",
             count(*) FILTER (WHERE p."status" = 'running' AND EXISTS (
               SELECT 1 FROM "tasks" t WHERE t."pipelineId" = p."id" AND t."status" NOT IN ('backlog', 'ready')))::int AS "running",
             count(*) FILTER (WHERE p."status" = 'succeeded')::int AS "done",
             count(*) FILTER (WHERE p."status" IN ('failed', 'canceled'))::int AS "failed"
      FROM "pipelines" p WHERE p."batchId" = ${batchId}`;
    const counts: BatchCounts = {
      pending: batch.inputsCount - row!.made + (row!.made - row!.running - row!.done - row!.failed),
      running: row!.running,
      done: row!.done,
      failed: row!.failed,
    };
    const status = batchComplete(batch.inputsCount, counts) ? "completed" : "running";
    const changed =
      status !== batch.status ||
      counts.pending !== batch.pendingCount ||
      counts.running !== batch.runningCount ||
      counts.done !== batch.doneCount ||
      counts.failed !== batch.failedCount;
    if (changed) {
      await tx.pipelineBatch.update({
        where: { id: batchId },
        data: {
          pendingCount: counts.pending,
          runningCount: counts.running,
          doneCount: counts.done,
          failedCount: counts.failed,
          status,
          ...(status !== batch.status ? { finishedAt: status === "completed" ? now : null } : {}),
        },
      });
    }
    return { batchId, workspaceId: batch.workspaceId, projectId: batch.projectId, inputsCount: batch.inputsCount, counts, status, changed };
  });
}

/** Running batches that still lack pipelines (the sweep finishes their expansion). */
export async function batchesToExpand(db: DbClient): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT b."id" FROM "pipeline_batches" b
    WHERE b."status" = 'running' AND b."inputsCount" > (SELECT count(*) FROM "pipelines" p WHERE p."batchId" = b."id")
    LIMIT 100`;
  return rows.map((r) => r.id);
}
