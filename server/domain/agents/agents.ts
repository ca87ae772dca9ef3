// The agent registry: a workspace's own agents (builtin, running in a Paddock sandbox, or external,
// working through the agent API) and the site-wide builtins every workspace may use (the demo
// agents; workspaceId null). Workspace owners and admins manage their workspace's agents; site
// operators and admins manage the site-wide ones. Every member sees both.
import { randomBytes } from "node:crypto";
import { AppError } from "../../lib/errors";
import type { DbClient, Prisma } from "../../lib/db";
import type { Role } from "../../generated/prisma/enums";
import { isOperatorRole } from "@shared/run-rules";
import { can } from "@shared/workspace-rules";
import type { CreateAgentInput, UpdateAgentInput } from "@shared/work";
import { requireWork } from "../work-access";

export interface Actor {
  userId: string;
  /** The site role. */
  role: Role;
}

export const agentSelect = {
  id: true,
  slug: true,
  name: true,
  kind: true,
  workspaceId: true,
  specialization: true,
  capabilities: true,
  model: true,
  policy: true,
  description: true,
  status: true,
  heartbeatAt: true,
  active: true,
  archivedAt: true,
  maxConcurrentTasks: true,
  webhookUrl: true,
  taskTokenBudget: true,
  tasksCompleted: true,
  tasksFailed: true,
  totalDurationMs: true,
  totalCostCents: true,
  ratingSum: true,
  ratingCount: true,
  createdAt: true,
} satisfies Prisma.AgentSelect;

type AgentRow = Prisma.AgentGetPayload<{ select: typeof agentSelect }>;

/** An agent as callers see it: its row with performance as rates and averages (no BigInt). */
export function agentView(a: AgentRow, figures: { running: number; tokensUsed: number } = { running: 0, tokensUsed: 0 }) {
  const results = a.tasksCompleted + a.tasksFailed;
  const { totalDurationMs, totalCostCents, ratingSum, ratingCount, ...rest } = a;
  return {
    ...rest,
    runningTasks: figures.running,
    performance: {
      /** LLM tokens used by the agent's task attempts (each within its taskTokenBudget, if set). */
      tokensUsed: figures.tokensUsed,
      tasksCompleted: a.tasksCompleted,
      tasksFailed: a.tasksFailed,
      failureRate: results === 0 ? 0 : a.tasksFailed / results,
      averageDurationMs: results === 0 ? 0 : Math.round(Number(totalDurationMs) / results),
      averageCostCents: results === 0 ? 0 : Math.round(Number(totalCostCents) / results),
      /** Clients' ratings of delivered work (1–5): the average to one decimal, null before the first. */
      ratingCount,
      averageRating: ratingCount === 0 ? null : Math.round((ratingSum / ratingCount) * 10) / 10,
    },
  };
}
export type AgentView = ReturnType<typeof agentView>;

export function agentNotFound(field = "id"): AppError {
  return new AppError("NOT_FOUND", "no agent with that id among yours", { field });
}

/** Per agent: its live attempts now, and the LLM tokens its attempts have used (what the agents page shows). */
async function attemptFigures(db: DbClient, agentIds: string[]): Promise<Map<string, { running: number; tokensUsed: number }>> {
  if (agentIds.length === 0) return new Map();
  const [running, tokens] = await Promise.all([
    db.taskAttempt.groupBy({
      by: ["agentId"],
      where: { agentId: { in: agentIds }, status: { in: ["launching", "running"] } },
      _count: { _all: true },
    }),
    db.taskAttempt.groupBy({ by: ["agentId"], where: { agentId: { in: agentIds }, tokensUsed: { gt: 0 } }, _sum: { tokensUsed: true } }),
  ]);
  const figures = new Map(agentIds.map((id) => [id, { running: 0, tokensUsed: 0 }]));
  for (const r of running) figures.get(r.agentId)!.running = r._count._all;
  for (const t of tokens) figures.get(t.agentId)!.tokensUsed = t._sum.tokensUsed ?? 0;
  return figures;
}

export async function listAgents(db: DbClient, input: { userId: string; workspaceId: string; includeArchived: boolean }) {
  await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.userId,
    permission: "view",
    field: "workspaceId",
    what: "workspace",
  });
  const agents = await db.agent.findMany({
    where: {
      OR: [{ workspaceId: input.workspaceId }, { workspaceId: null }],
      ...(input.includeArchived ? {} : { active: true }),
    },
    select: agentSelect,
    orderBy: [{ workspaceId: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
  });
  const figures = await attemptFigures(
    db,
    agents.map((a) => a.id),
  );
  return agents.map((a) => agentView(a, figures.get(a.id)));
}

/**
 * The agent if the actor may see it (site-wide: everyone signed in; a workspace's: its members),
 * and whether they may manage it. NOT_FOUND otherwise.
 */
export async function visibleAgent(db: DbClient, actor: Actor, agentId: string, field = "id") {
  const agent = await db.agent.findUnique({ where: { id: agentId }, select: agentSelect });
  if (!agent) throw agentNotFound(field);
  if (agent.workspaceId === null) return { agent, mayManage: isOperatorRole(actor.role) };
  const member = await db.workspaceMember.findUnique({
    where: { workspaceId_userId: { workspaceId: agent.workspaceId, userId: actor.userId } },
    select: { role: true },
  });
  if (!member || !can(member.role, "view")) throw agentNotFound(field);
  return { agent, mayManage: member.role === "owner" || member.role === "admin" };
}

/** The agent, when the actor may manage it: FORBIDDEN for a member who may only see it. */
export async function manageableAgent(db: DbClient, actor: Actor, agentId: string, field = "id") {
  const { agent, mayManage } = await visibleAgent(db, actor, agentId, field);
  if (!mayManage) {
    throw new AppError(
      "FORBIDDEN",
      agent.workspaceId === null
        ? "only site operators and admins can manage the site-wide agents"
        : "only the workspace's owners and admins can manage its agents",
      { field },
    );
  }
  return agent;
}

export async function getAgent(db: DbClient, actor: Actor, agentId: string) {
  const { agent, mayManage } = await visibleAgent(db, actor, agentId);
  const figures = await attemptFigures(db, [agent.id]);
  const keys = mayManage
    ? await db.agentKey.findMany({
        where: { agentId: agent.id },
        select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
        orderBy: { createdAt: "desc" },
      })
    : [];
  return { ...agentView(agent, figures.get(agent.id)), mayManage, keys };
}

const slugFor = (name: string) =>
  `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "agent"
  }-${randomBytes(4).toString("hex")}`;

/** `workspaceId` null: a site-wide builtin agent, for site operators and admins only. */
export async function createAgent(
  db: DbClient,
  actor: Actor,
  input: Omit<CreateAgentInput, "workspaceId"> & { workspaceId: string | null },
) {
  if (input.workspaceId === null) {
    if (!isOperatorRole(actor.role)) {
      throw new AppError("FORBIDDEN", "only site operators and admins can create site-wide agents: name a workspaceId", {
        field: "workspaceId",
      });
    }
  } else {
    await requireWork(db, {
      workspaceId: input.workspaceId,
      userId: actor.userId,
      permission: "manageAgents",
      field: "workspaceId",
      what: "workspace",
    });
  }
  if (input.kind === "builtin" && input.webhookUrl) {
    throw new AppError("BAD_REQUEST", "webhookUrl is for external agents: a builtin agent runs in a Paddock sandbox", {
      field: "webhookUrl",
    });
  }
  const agent = await db.agent.create({
    data: {
      slug: slugFor(input.name),
      name: input.name,
      kind: input.kind,
      workspaceId: input.workspaceId,
      specialization: input.specialization,
      capabilities: input.capabilities,
      model: input.model,
      description: input.description,
      maxConcurrentTasks: input.maxConcurrentTasks,
      webhookUrl: input.webhookUrl ?? null,
      taskTokenBudget: input.taskTokenBudget ?? null,
      policy: input.policy,
      createdById: actor.userId,
      // A polling external agent is offline until it first reports in; one with a webhook URL is reached by push.
      status: input.kind === "external" && !input.webhookUrl ? "offline" : "available",
    },
    select: agentSelect,
  });
  return agentView(agent);
}

export async function updateAgent(db: DbClient, actor: Actor, input: UpdateAgentInput) {
  const agent = await manageableAgent(db, actor, input.id);
  if (agent.archivedAt) throw new AppError("CONFLICT", "the agent is archived", { field: "id" });
  if (agent.kind === "builtin" && input.webhookUrl) {
    throw new AppError("BAD_REQUEST", "webhookUrl is for external agents: a builtin agent runs in a Paddock sandbox", {
      field: "webhookUrl",
    });
  }
  const { id, ...changes } = input;
  const data: Prisma.AgentUpdateInput = {};
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) (data as Record<string, unknown>)[k] = v;
  if (input.webhookUrl && agent.status === "offline") data.status = "available";
  const updated = await db.agent.update({ where: { id }, data, select: agentSelect });
  return agentView(updated);
}

/** Archived: offered no task, launches no run, its keys stop working. Its attempts so far stay. */
export async function archiveAgent(db: DbClient, actor: Actor, agentId: string) {
  await manageableAgent(db, actor, agentId);
  const updated = await db.agent.update({
    where: { id: agentId },
    data: { active: false, archivedAt: new Date(), status: "offline" },
    select: agentSelect,
  });
  return agentView(updated);
}
