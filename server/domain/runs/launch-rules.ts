// Who may launch what, and how much: the one rule that createRun enforces and that
// run.agents / run.providers report to the launch form.
//   - The Daytona provider (remote machines, paid per minute) is for operators and admins unless
//     DAYTONA_FOR_MEMBERS opens it; restricted agents (llm ones by default) likewise,
//     until an admin opens the agent.
//   - A user has at most MAX_LIVE_RUNS_PER_USER runs queued, booting or running at once, and a
//     run's credit budget is at least MIN_RUN_CREDITS_CENTS.
import type { Role } from "../../generated/prisma/enums";
import type { ProviderName } from "../../providers/types";

export interface LaunchPolicy {
  maxLiveRuns: number;
  minCredits: number;
  daytonaForMembers: boolean;
}

export const isPrivileged = (role: Role) => role === "operator" || role === "admin";

export function mayUseProvider(role: Role, provider: ProviderName, policy: Pick<LaunchPolicy, "daytonaForMembers">): boolean {
  return provider !== "daytona" || policy.daytonaForMembers || isPrivileged(role);
}

export function isAgentRestricted(agent: { restricted: boolean | null; policy: string }): boolean {
  return agent.restricted ?? agent.policy === "llm";
}

export function mayUseAgent(role: Role, agent: { restricted: boolean | null; policy: string }): boolean {
  return !isAgentRestricted(agent) || isPrivileged(role);
}

/** The providers a caller may launch on, and the one a launch without a choice uses. */
export function providersFor(
  role: Role,
  configured: { available: readonly ProviderName[]; default: ProviderName },
  policy: Pick<LaunchPolicy, "daytonaForMembers">,
): { available: ProviderName[]; default: ProviderName | null } {
  const available = configured.available.filter((p) => mayUseProvider(role, p, policy));
  return { available, default: available.includes(configured.default) ? configured.default : (available[0] ?? null) };
}
