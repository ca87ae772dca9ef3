// Input schemas of agents, projects and tasks, shared by the server (validation) and the client (forms).
// Shapes only: who may do what is shared/task-rules.ts and the domain.
import { z } from "zod";
import { AGENT_KINDS, canonicalSpecialization, PROJECT_STATUSES, SETTABLE_TASK_STATUSES, TASK_STATUSES } from "./task-rules";
import { TASK_PRIORITY_MAX, TASK_PRIORITY_MIN } from "./task-priority";
import { slaPolicySchema } from "./sla";

export const idSchema = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
const name = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const word = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, "must be one short word: letters, digits, '-' or '_', at most 40 characters");
/** A specialization: one word, an alias (e.g. "research", "coding") read as its specialization (shared/task-rules.ts). */
const specialization = word.transform(canonicalSpecialization);
const tags = z
  .array(z.string().trim().min(1, "must not be empty").max(40, "must be at most 40 characters"))
  .max(20, "must be at most 20 tags");
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const futureOrPast = z.coerce.date({ error: "must be a date" });

// ── agents ──
export const createAgentInput = z.object({
  workspaceId: idSchema,
  name,
  kind: z.enum(AGENT_KINDS, `must be one of ${AGENT_KINDS.join(", ")}`),
  specialization: specialization.default("general"),
  capabilities: z.array(word).max(30, "must be at most 30 capabilities").default([]),
  model: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").default("external"),
  description: text(2000).default(""),
  maxConcurrentTasks: z.number().int("must be a whole number").min(1, "must be at least 1").max(1000, "must be at most 1000").default(1),
  webhookUrl: z.url("must be an http(s) URL").max(2000).nullable().optional(),
  taskTokenBudget: z.number().int("must be a whole number").min(1, "must be at least 1").max(100_000_000).nullable().optional(),
  /** Builtin agents: the reference agent's policy (demo or llm). */
  policy: z.enum(["demo", "llm"], "must be demo or llm").default("demo"),
});
export type CreateAgentInput = z.infer<typeof createAgentInput>;

export const updateAgentInput = z.object({
  id: idSchema,
  name: name.optional(),
  specialization: specialization.optional(),
  capabilities: z.array(word).max(30, "must be at most 30 capabilities").optional(),
  model: z.string().trim().min(1, "must not be empty").max(100).optional(),
  description: text(2000).optional(),
  maxConcurrentTasks: z.number().int("must be a whole number").min(1, "must be at least 1").max(1000, "must be at most 1000").optional(),
  webhookUrl: z.url("must be an http(s) URL").max(2000).nullable().optional(),
  taskTokenBudget: z.number().int("must be a whole number").min(1, "must be at least 1").max(100_000_000).nullable().optional(),
});
export type UpdateAgentInput = z.infer<typeof updateAgentInput>;

export const agentListInput = z.object({ workspaceId: idSchema, includeArchived: z.boolean().default(false) });
export const createKeyInput = z.object({ agentId: idSchema, name: text(80).default("") });
export const revokeKeyInput = z.object({ agentId: idSchema, keyId: idSchema });
export const deliveriesInput = z.object({ agentId: idSchema, limit: z.number().int().min(1).max(200).default(50) });
export const replayDeliveryInput = z.object({ deliveryId: idSchema });

// ── projects ──
export const createProjectInput = z.object({
  workspaceId: idSchema,
  name,
  brief: text(20_000).default(""),
  deadline: futureOrPast.nullable().optional(),
  tags: tags.default([]),
});
export type CreateProjectInput = z.infer<typeof createProjectInput>;

export const updateProjectInput = z.object({
  id: idSchema,
  name: name.optional(),
  brief: text(20_000).optional(),
  status: z.enum(PROJECT_STATUSES, `must be one of ${PROJECT_STATUSES.join(", ")}`).optional(),
  deadline: futureOrPast.nullable().optional(),
  tags: tags.optional(),
  // Replaces the project's SLA windows override (shared/sla.ts); {} goes back to the defaults.
  slaPolicy: slaPolicySchema.unwrap().optional(),
});
export type UpdateProjectInput = z.infer<typeof updateProjectInput>;

export const projectListInput = z.object({ workspaceId: idSchema, includeArchived: z.boolean().default(false) });

// ── tasks ──
const priority = z
  .number()
  .int("must be a whole number")
  .min(TASK_PRIORITY_MIN, `must be at least ${TASK_PRIORITY_MIN}`)
  .max(TASK_PRIORITY_MAX, `must be at most ${TASK_PRIORITY_MAX}`);
const dependsOn = z.array(idSchema).max(100, "must be at most 100 tasks");
const agentConfig = z
  .record(z.string().max(64), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 8192, "must be at most 8 KB of JSON");

export const createTaskInput = z.object({
  projectId: idSchema,
  title: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  description: text(20_000).default(""),
  type: word.default("task"),
  /** backlog (default) or ready: a ready task is dispatched as soon as its dependencies are done. */
  status: z.enum(["backlog", "ready"], "must be backlog or ready").default("backlog"),
  /** Set to override the derived priority. */
  priority: priority.optional(),
  tags: tags.default([]),
  requiredSpecialization: specialization.nullable().optional(),
  dependsOn: dependsOn.default([]),
  parentTaskId: idSchema.nullable().optional(),
  maxRetries: z.number().int("must be a whole number").min(0, "must be at least 0").max(20, "must be at most 20").default(2),
  agentId: idSchema.nullable().optional(),
  requiresReview: z.boolean().default(false),
  metric: z.string().trim().min(1, "must not be empty").max(100).default("steps"),
  targetValue: z.number().finite().positive("must be greater than 0").max(1e12).default(3),
  agentConfig: agentConfig.default({}),
});
export type CreateTaskInput = z.infer<typeof createTaskInput>;

export const updateTaskInput = z.object({
  id: idSchema,
  title: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
  description: text(20_000).optional(),
  type: word.optional(),
  status: z.enum(SETTABLE_TASK_STATUSES, `must be one of ${SETTABLE_TASK_STATUSES.join(", ")}`).optional(),
  /** A number overrides the derived priority; null goes back to the derived one. */
  priority: priority.nullable().optional(),
  tags: tags.optional(),
  requiredSpecialization: specialization.nullable().optional(),
  dependsOn: dependsOn.optional(),
  parentTaskId: idSchema.nullable().optional(),
  maxRetries: z.number().int("must be a whole number").min(0, "must be at least 0").max(20, "must be at most 20").optional(),
  agentId: idSchema.nullable().optional(),
  requiresReview: z.boolean().optional(),
  metric: z.string().trim().min(1, "must not be empty").max(100).optional(),
  targetValue: z.number().finite().positive("must be greater than 0").max(1e12).optional(),
  agentConfig: agentConfig.optional(),
});
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;

export const taskListInput = z.object({
  projectId: idSchema.optional(),
  workspaceId: idSchema.optional(),
  status: z.enum(TASK_STATUSES).optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export const taskIdInput = z.object({ id: idSchema });
export const dispatchTaskInput = z.object({ id: idSchema, agentId: idSchema.optional() });

// ── the external agent API (/api/agents/v1) ──
export const TASK_OUTCOMES = ["succeeded", "failed"] as const;
export const agentFileSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  url: z.url("must be a URL").max(2000).optional(),
  contentType: z.string().max(200).optional(),
  size: z.number().int().min(0).optional(),
});
/** PostgreSQL's text and jsonb cannot hold a NUL character: such input is refused up front, naming its field. */
const NUL_FREE = "must not contain a NUL character (\\u0000)";
const hasNul = (v: unknown): boolean =>
  typeof v === "string"
    ? v.includes("\u0000")
    : Array.isArray(v)
      ? v.some(hasNul)
      : v !== null && typeof v === "object" && Object.entries(v).some(([k, x]) => k.includes("\u0000") || hasNul(x));
const withoutNul = (v: unknown) => !hasNul(v);

export const taskResultBody = z.object({
  outcome: z.enum(TASK_OUTCOMES, "must be succeeded or failed"),
  summary: z.string().max(20_000, "must be at most 20000 characters").refine(withoutNul, NUL_FREE).default(""),
  output: z.unknown().refine(withoutNul, NUL_FREE).optional(),
  files: z.array(agentFileSchema).max(100, "must be at most 100 files").optional(),
  tokensUsed: z.number().int().min(0).max(1e9).optional(),
  costCents: z.number().int().min(0).max(1e9).optional(),
});
export type TaskResultBody = z.infer<typeof taskResultBody>;
export const taskProgressBody = z.object({
  message: z.string().max(2000, "must be at most 2000 characters").default(""),
  percent: z.number().min(0).max(100).optional(),
  data: z.unknown().optional(),
});
export const heartbeatBody = z.object({ status: z.enum(["available", "busy"], "must be available or busy").default("available") });
/** A result pushed to /api/webhooks/task-result: the same body naming its task. */
export const webhookTaskResultBody = taskResultBody.extend({ taskId: idSchema, attempt: z.number().int().min(1).optional() });
