import { z } from "zod";

const id = z.string().min(1, "is required").max(100);
const input = z.record(z.string(), z.unknown());

export const startPipelineInput = z.object({ projectId: id, templateId: id, input });
export const startBatchInput = z.object({
  projectId: id,
  templateId: id,
  inputs: z.array(input).min(1, "needs at least one input").max(1_000, "holds at most 1,000 inputs"),
  // The client makes one per form (e.g. crypto.randomUUID()) and sends it with every retry or click.
  idempotencyKey: z.string().min(8, "must be at least 8 characters").max(200),
});
export const pipelineIdInput = z.object({ id });
export const listPipelinesInput = z.object({ projectId: id, batchId: id.optional(), limit: z.number().int().min(1).max(200).default(50) });
export const projectIdInput = z.object({ projectId: id });
