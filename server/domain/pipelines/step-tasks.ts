// The tasks of a pipeline's steps, created in dependency order (each step's dependencies first).
import type { Prisma } from "../../lib/db";

export interface StepTaskSpec {
  stepKey: string;
  title: string;
  description: string;
  type: string;
  requiredSpecialization: string | null;
  status: "backlog" | "ready";
  dependsOn: string[];
}

/** Creates one task per step (given in dependency order); returns their ids by step key. */
export async function createStepTasks(
  tx: Prisma.TransactionClient,
  args: { projectId: string; workspaceId: string; createdById: string; pipelineId: string; steps: StepTaskSpec[] },
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const step of args.steps) {
    const task = await tx.task.create({
      data: {
        projectId: args.projectId,
        workspaceId: args.workspaceId,
        createdById: args.createdById,
        pipelineId: args.pipelineId,
        stepKey: step.stepKey,
        title: step.title,
        description: step.description,
        type: step.type,
        requiredSpecialization: step.requiredSpecialization,
        status: step.status,
        dependsOn: { create: step.dependsOn.map((key) => ({ dependsOnId: ids[key]! })) },
      },
      select: { id: true },
    });
    ids[step.stepKey] = task.id;
  }
  return ids;
}
