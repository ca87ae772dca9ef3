// Which agent gets a task: one scoring function, used by dispatch (server/domain/tasks/dispatch.ts).
// Hard rules first (an agent that cannot take the task scores null), then a score where higher is
// better: availability, spare concurrency, a low failure rate and speed.

export interface AgentForScoring {
  id: string;
  kind: "builtin" | "external";
  specialization: string;
  status: "available" | "busy" | "offline";
  active: boolean;
  maxConcurrentTasks: number;
  /** Attempts it is working on now. */
  runningTasks: number;
  tasksCompleted: number;
  tasksFailed: number;
  totalDurationMs: number;
}

export interface TaskForScoring {
  requiredSpecialization: string | null;
  /** An operator's choice: only this agent may take it. */
  requestedAgentId: string | null;
  /** Agents it must not go to again (a deliverable of theirs was rejected as a quality failure). */
  excludedAgentIds: readonly string[];
}

/** Average duration assumed for an agent with no record yet, and the scale of the speed term. */
const TYPICAL_DURATION_MS = 10 * 60_000;

/**
 * Null when the agent may not take the task now (archived, offline, full, wrong specialization,
 * another agent was requested, or the task excludes it). Otherwise a score in [0, 100]:
 * - specialization: 30 for an exact match of a required one, 20 when none is required (any agent may);
 * - availability: 20 available, 5 busy (still has room);
 * - concurrency: up to 20 for the share of its slots still free;
 * - failure rate: up to 20, (1 - failures / results); an agent without results counts as 0.8;
 * - speed: up to 10, 10 × typical / (typical + average duration).
 */
export function scoreAgent(agent: AgentForScoring, task: TaskForScoring): number | null {
  if (!agent.active || agent.status === "offline") return null;
  if (task.requestedAgentId && task.requestedAgentId !== agent.id) return null;
  if (task.excludedAgentIds.includes(agent.id)) return null;
  if (agent.runningTasks >= agent.maxConcurrentTasks) return null;
  if (task.requiredSpecialization && task.requiredSpecialization !== agent.specialization) return null;
  const specialization = task.requiredSpecialization ? 30 : 20;
  const availability = agent.status === "available" ? 20 : 5;
  const concurrency = 20 * (1 - agent.runningTasks / agent.maxConcurrentTasks);
  const results = agent.tasksCompleted + agent.tasksFailed;
  const reliability = 20 * (results === 0 ? 0.8 : 1 - agent.tasksFailed / results);
  const averageMs = agent.tasksCompleted > 0 ? agent.totalDurationMs / agent.tasksCompleted : TYPICAL_DURATION_MS;
  const speed = (10 * TYPICAL_DURATION_MS) / (TYPICAL_DURATION_MS + averageMs);
  return specialization + availability + concurrency + reliability + speed;
}

/** The best agent for the task, or null when none may take it. Ties go to the earlier agent in the list. */
export function pickAgent<A extends AgentForScoring>(agents: readonly A[], task: TaskForScoring): { agent: A; score: number } | null {
  let best: { agent: A; score: number } | null = null;
  for (const agent of agents) {
    const score = scoreAgent(agent, task);
    if (score !== null && (!best || score > best.score)) best = { agent, score };
  }
  return best;
}
