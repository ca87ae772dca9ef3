// Starting a pipeline: one transaction makes the pipeline row and a task per step of its template,
// with the steps' dependencies as task dependencies. Agent steps are created `ready`: the
// dispatcher takes a ready task only once every task it depends on is done, so steps run in
// dependency order and in parallel where the DAG allows. A step run by an external service
// (`externalJob`) starts in `backlog`: Paddock, not an agent, starts it (advance.ts).
import type { Db, Prisma } from "../../lib/db";
import { projectForStart, type PipelineActor } from "./access";
import { AppError } from "../../lib/errors";
import {
  findPipelineTemplate,
  inputProblem,
  renderInstructions,
  validatePipelineTemplate,
  type PipelineTemplate,
} from "@shared/pipeline-templates";
import { createStepTasks } from "./step-tasks";

export function requireTemplate(key: string, field = "templateId"): PipelineTemplate {
  const template = findPipelineTemplate(key);
  if (!template) throw new AppError("NOT_FOUND", `no pipeline template "${key}": see pipeline.templates for the list`, { field });
  return template;
}

/** Throws BAD_REQUEST naming the input field that does not fit the template. */
export function assertInput(template: PipelineTemplate, input: Record<string, unknown>, fieldPrefix = ""): Record<string, string> {
  const problem = inputProblem(template, input);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { field: `${fieldPrefix}${problem.field}` });
  return input as Record<string, string>;
}

export interface StartedPipeline {
  pipelineId: string;
  workspaceId: string;
  projectId: string;
  taskIds: Record<string, string>;
}

/** Creates the pipeline and its step tasks inside the caller's transaction. */
export async function createPipeline(
  tx: Prisma.TransactionClient,
  args: {
    project: { id: string; workspaceId: string; deadline: Date | null };
    template: PipelineTemplate;
    input: Record<string, string>;
    createdById: string;
    batch?: { id: string; index: number };
  },
): Promise<StartedPipeline> {
  const { project, template, input } = args;
  const validation = validatePipelineTemplate(template);
  if (!validation.ok) throw new AppError("INTERNAL", `template ${template.key} is not a DAG: ${validation.problem.message}`);
  const pipeline = await tx.pipeline.create({
    data: {
      projectId: project.id,
      workspaceId: project.workspaceId,
      templateKey: template.key,
      input,
      createdById: args.createdById,
      ...(args.batch ? { batchId: args.batch.id, batchIndex: args.batch.index } : {}),
    },
    select: { id: true },
  });
  const byKey = new Map(template.steps.map((s) => [s.key, s]));
  const label = template.inputFields[0] ? input[template.inputFields[0].key] : undefined;
  const taskIds = await createStepTasks(tx, {
    projectId: project.id,
    workspaceId: project.workspaceId,
    deadline: project.deadline,
    createdById: args.createdById,
    pipelineId: pipeline.id,
    now: new Date(),
    steps: validation.order.map((key) => {
      const step = byKey.get(key)!;
      return {
        stepKey: step.key,
        title: label ? `${step.name}: ${label.slice(0, 80)}` : step.name,
        description: renderInstructions(step.instructions, input),
        type: step.key,
        requiredSpecialization: step.specialization === "general" ? null : step.specialization,
        status: step.externalJob ? "backlog" : "ready",
        dependsOn: [...step.dependsOn],
      };
    }),
  });
  return { pipelineId: pipeline.id, workspaceId: project.workspaceId, projectId: project.id, taskIds };
}

/** pipeline.start: the actor must be allowed to start pipelines in the project (access.ts). */
export async function startPipeline(
  db: Db,
  actor: PipelineActor,
  args: { projectId: string; templateKey: string; input: Record<string, unknown> },
): Promise<StartedPipeline> {
  const template = requireTemplate(args.templateKey);
  const input = assertInput(template, args.input);
  const project = await projectForStart(db, actor, args.projectId);
  return db.$transaction((tx) => createPipeline(tx, { project, template, input, createdById: actor.userId }), { timeout: 30_000 });
}
