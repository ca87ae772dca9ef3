// The tasks of a pipeline's steps, made with the core's insertTask (the same rows, priority and
// dependencies as task.create) inside the pipeline's transaction, in dependency order.
import type { Prisma } from "../../lib/db";
import { insertTask } from "../tasks/tasks";

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
  args: {
    projectId: string;
    workspaceId: string;
    deadline: Date | null;
    createdById: string;
    pipelineId: string;
    steps: StepTaskSpec[];
    now: Date;
  },
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const step of args.steps) {
    const task = await insertTask(tx, {
      projectId: args.projectId,
      workspaceId: args.workspaceId,
      createdById: args.createdById,
      pipelineId: args.pipelineId,
      stepKey: step.stepKey,
      title: step.title,
      description: step.description,
      type: step.type,
      status: step.status,
      tags: ["pipeline"],
      requiredSpecialization: step.requiredSpecialization,
      dependsOn: step.dependsOn.map((key) => ids[key]!),
      maxRetries: 2,
      requiresReview: false,
      metric: "steps",
      targetValue: 3,
      agentConfig: {},
      deadline: args.deadline,
      now: args.now,
    });
    ids[step.stepKey] = task.id;
  }
  return ids;
}
