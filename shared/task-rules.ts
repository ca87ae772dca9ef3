// Tasks: their statuses, the moves between them, and who in a workspace may do what with work
// (agents, projects, tasks). The server's domain, its SQL and the client all use this module.
import { can, type WorkspaceRole } from "./workspace-rules";

export const TASK_STATUSES = ["backlog", "ready", "running", "review", "done", "failed", "canceled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_TASK_STATUSES = ["done", "failed", "canceled"] as const satisfies readonly TaskStatus[];
/** The statuses a person may set with task.update (running and the ends are reached by dispatch and results). */
export const SETTABLE_TASK_STATUSES = ["backlog", "ready", "done"] as const satisfies readonly TaskStatus[];

export const isTerminalTask = (s: TaskStatus): boolean => (TERMINAL_TASK_STATUSES as readonly string[]).includes(s);

/**
 * Every allowed move. ready → running is dispatch or a claim; running → ready is a retry after a
 * failed or expired attempt; review → done is approval and review → ready a request for changes;
 * failed/canceled → ready is task.retry.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  backlog: ["ready", "canceled"],
  ready: ["backlog", "running", "canceled"],
  running: ["ready", "review", "done", "failed", "canceled"],
  review: ["done", "ready", "canceled"],
  done: [],
  failed: ["ready"],
  canceled: ["ready"],
};

export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const TASK_ATTEMPT_STATUSES = ["launching", "running", "succeeded", "failed", "canceled", "expired"] as const;
export type TaskAttemptStatus = (typeof TASK_ATTEMPT_STATUSES)[number];
export const LIVE_ATTEMPT_STATUSES = ["launching", "running"] as const satisfies readonly TaskAttemptStatus[];

export const PROJECT_STATUSES = ["active", "paused", "archived"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const AGENT_KINDS = ["builtin", "external"] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
export const AGENT_STATUSES = ["available", "busy", "offline"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * The specializations of agents and of the work they take (pipeline steps, tasks): one vocabulary
 * everywhere. Any short word is accepted; these are the ones Paddock's templates and builtin agents use.
 */
export const SPECIALIZATIONS = ["researcher", "writer", "coder", "designer", "reviewer", "outreach", "general"] as const;
export type Specialization = (typeof SPECIALIZATIONS)[number];

/** Words people type for a specialization (and older rows used), and the specialization each means. */
export const SPECIALIZATION_ALIASES: Readonly<Record<string, Specialization>> = {
  research: "researcher",
  writing: "writer",
  coding: "coder",
  code: "coder",
  developer: "coder",
  design: "designer",
  review: "reviewer",
};

/** The specialization a typed word means: an alias becomes its specialization, any other word stays as it is. */
export function canonicalSpecialization(word: string): string {
  return Object.hasOwn(SPECIALIZATION_ALIASES, word) ? SPECIALIZATION_ALIASES[word]! : word;
}

/** Why a member of this role may not do this with the workspace's work, or null (the roles are shared/workspace-rules.ts). */
export function workRefusal(role: WorkspaceRole, permission: "view" | "editWork" | "manageAgents"): string | null {
  if (can(role, permission)) return null;
  if (permission === "manageAgents") return "only the workspace's owners and admins can manage its agents";
  if (permission === "editWork") return "viewers cannot change projects or tasks: ask an owner or admin for the member role";
  return "you cannot see this workspace's work";
}

/** How long to wait before retry number `retry` (1 = the first retry): doubling from `baseMs`, at most an hour. */
export function retryDelayMs(retry: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, retry - 1), 3_600_000);
}
