// Retrying a pipeline step's task (task.retry) reopens what its failure closed, in the retry's
// transaction: the steps stopped because of it (canceled with STOPPED_PREFIX) go back to where a
// new pipeline starts them — an agent's step ready (the dispatcher still waits for its
// dependencies), an external service's step backlog (Paddock starts it, advance.ts) — and a failed
// pipeline runs again. A canceled pipeline stays canceled: its steps are not retried one by one.
import type { Prisma } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { dependentsOf, findPipelineTemplate } from "@shared/pipeline-templates";
import { STOPPED_PREFIX } from "./advance";

/** Where a step's task waits before it runs: an external service's step in backlog, an agent's ready. */
export function openStatusOf(templateKey: string, stepKey: string | null): "ready" | "backlog" {
  const step = findPipelineTemplate(templateKey)?.steps.find((s) => s.key === stepKey);
  return step?.externalJob ? "backlog" : "ready";
}

/**
 * Locks the step's pipeline (before its task, the order advancing takes) and refuses a retry in a
 * canceled pipeline. Returns the status the retried task takes.
 */
export async function lockPipelineForRetry(
  tx: Prisma.TransactionClient,
  input: { pipelineId: string; stepKey: string | null },
): Promise<"ready" | "backlog"> {
  const [pipeline] = await tx.$queryRaw<{ status: string; templateKey: string }[]>`
    SELECT status::text AS status, "templateKey" FROM pipelines WHERE id = ${input.pipelineId} FOR UPDATE`;
  if (!pipeline) return "ready";
  if (pipeline.status === "canceled") {
    throw new AppError("CONFLICT", "its pipeline was canceled: start the pipeline again instead of retrying one of its steps", {
      field: "id",
    });
  }
  return openStatusOf(pipeline.templateKey, input.stepKey);
}

/** After the step's task went back to its open status: its stopped dependents reopen (their ids returned) and the pipeline runs. */
export async function reopenAfterStepRetry(
  tx: Prisma.TransactionClient,
  input: { pipelineId: string; stepKey: string },
): Promise<string[]> {
  const pipeline = await tx.pipeline.findUniqueOrThrow({
    where: { id: input.pipelineId },
    select: { templateKey: true, status: true, tasks: { select: { id: true, stepKey: true, status: true, error: true } } },
  });
  const template = findPipelineTemplate(pipeline.templateKey);
  const reopened: string[] = [];
  if (template) {
    const downstream = new Set(dependentsOf(template, input.stepKey));
    for (const task of pipeline.tasks) {
      if (!task.stepKey || !downstream.has(task.stepKey)) continue;
      if (task.status !== "canceled" || !task.error?.startsWith(STOPPED_PREFIX)) continue;
      await tx.task.update({
        where: { id: task.id },
        data: { status: openStatusOf(pipeline.templateKey, task.stepKey), error: null, finishedAt: null, notBefore: null },
        select: { id: true },
      });
      reopened.push(task.id);
    }
  }
  // Where it stopped is found again by the next advance (another step may still have failed).
  await tx.pipeline.update({
    where: { id: input.pipelineId },
    data: { failedStepKey: null, error: null, ...(pipeline.status === "failed" ? { status: "running", finishedAt: null } : {}) },
  });
  return reopened;
}
