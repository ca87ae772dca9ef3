// What the LLM calls of runs used: per agent (the admin page) and per run (a task's figure
// is the sum over its attempts' runs). Read from the usage rows the bridge writes (./pool.ts).
import type { DbClient } from "../../lib/db";

export interface LlmUsageTotals {
  calls: number;
  totalTokens: number;
  costCents: number;
}

const totalsOf = (g: { _count: { _all: number }; _sum: { totalTokens: number | null; costCents: number | null } }): LlmUsageTotals => ({
  calls: g._count._all,
  totalTokens: g._sum.totalTokens ?? 0,
  costCents: g._sum.costCents ?? 0,
});

/** Each agent's LLM use since `since`, most tokens first. */
export async function llmUsageByAgent(
  db: DbClient,
  args: { since: Date },
): Promise<Array<LlmUsageTotals & { agentId: string; name: string; model: string }>> {
  const groups = await db.llmUsage.groupBy({
    by: ["agentId"],
    where: { createdAt: { gte: args.since } },
    _count: { _all: true },
    _sum: { totalTokens: true, costCents: true },
  });
  const agents = await db.agent.findMany({
    where: { id: { in: groups.map((g) => g.agentId) } },
    select: { id: true, name: true, model: true },
  });
  const byId = new Map(agents.map((p) => [p.id, p]));
  return groups
    .map((g) => ({
      agentId: g.agentId,
      name: byId.get(g.agentId)?.name ?? "?",
      model: byId.get(g.agentId)?.model ?? "?",
      ...totalsOf(g),
    }))
    .sort((a, b) => b.totalTokens - a.totalTokens || a.name.localeCompare(b.name));
}

/** The LLM use of each of these runs (runs without calls are absent). */
export async function llmUsageOfRuns(db: DbClient, args: { runIds: string[] }): Promise<Map<string, LlmUsageTotals>> {
  if (args.runIds.length === 0) return new Map();
  const groups = await db.llmUsage.groupBy({
    by: ["runId"],
    where: { runId: { in: args.runIds } },
    _count: { _all: true },
    _sum: { totalTokens: true, costCents: true },
  });
  return new Map(groups.map((g) => [g.runId, totalsOf(g)]));
}
