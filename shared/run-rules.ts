// Who may do what to a run: the one rule the server's domain enforces (placeBet, submitPrompt,
// injectCredits, cancel) and the client uses to explain a disabled button. Whoever may not see the
// run at all is told it does not exist before any of this applies (server/domain/workspaces/visibility.ts).
// Steering (prompts, credits, cancel) belongs to the run's workspace — its owners, admins and members
// (shared/workspace-rules.ts `steerRuns`; viewers read only) — and to site operators. Nobody both bets
// on a run and steers it: a bettor may not steer, and the run's creator, or a user who already
// steered it (a prompt, credits), may not bet. Once the pool has locked, only operators may cancel
// (a cancel refunds every bet).
import { can, type WorkspaceRole } from "./workspace-rules";

export type RunActorRole = "member" | "operator" | "admin";

export interface RunActor {
  userId: string;
  role: RunActorRole;
}

/** What the rule needs to know about a run and the actor's part in it. */
export interface RunStanding {
  createdById: string;
  /** The actor has a bet on the run. */
  hasBet: boolean;
  /** The actor has steered the run: sent it a prompt or added credits (the pool's steerers). */
  hasPrompted: boolean;
  /** Bets are closed (locked, by time or progress, or the run ended). */
  poolLocked: boolean;
  /** The actor's role in the run's workspace; null when they are not a member. */
  workspaceRole: WorkspaceRole | null;
}

export const isOperatorRole = (role: string): boolean => role === "operator" || role === "admin";

/** Why the actor may not bet on the run, or null. Also written in placeBet's SQL verdict. */
export const BET_REFUSALS = {
  own_run: "you cannot bet on your own run: its creator steers it (prompts, cancel)",
  steered_run: "you cannot bet on a run you have steered (prompted or funded): whoever steers a run may not bet on it",
} as const;

export function betRefusal(actor: RunActor, run: Pick<RunStanding, "createdById" | "hasPrompted">): string | null {
  if (run.createdById === actor.userId) return BET_REFUSALS.own_run;
  if (run.hasPrompted) return BET_REFUSALS.steered_run;
  return null;
}

/** Whether the actor may steer the run at all, before the fairness rule: operators, and the workspace's members. */
export function maySteer(actor: RunActor, run: Pick<RunStanding, "workspaceRole">): boolean {
  return isOperatorRole(actor.role) || (run.workspaceRole !== null && can(run.workspaceRole, "steerRuns"));
}

const steerRefusal = (what: string, run: Pick<RunStanding, "workspaceRole">) =>
  run.workspaceRole === "viewer"
    ? `viewers cannot ${what} the workspace's runs: ask an owner or admin for the member role`
    : `only members of the run's workspace and operators can ${what} it`;

/** Why the actor may not send the run a prompt, or null. */
export function promptRefusal(actor: RunActor, run: Pick<RunStanding, "workspaceRole" | "hasBet">): string | null {
  if (!maySteer(actor, run)) return steerRefusal("prompt", run);
  if (run.hasBet) return "you have a bet on this run, so you cannot prompt it: nobody both bets on a run and steers it";
  return null;
}

/** Why the actor may not add credits to the run, or null. */
export function creditRefusal(actor: RunActor, run: Pick<RunStanding, "workspaceRole" | "hasBet">): string | null {
  if (!maySteer(actor, run)) return steerRefusal("add credits to", run);
  if (run.hasBet) return "you have a bet on this run, so you cannot add credits to it: nobody both bets on a run and steers it";
  return null;
}

/** Why the actor may not cancel the run, or null. */
export function cancelRefusal(actor: RunActor, run: Pick<RunStanding, "workspaceRole" | "hasBet" | "poolLocked">): string | null {
  const operator = isOperatorRole(actor.role);
  if (!maySteer(actor, run)) return steerRefusal("cancel", run);
  if (run.hasBet) return "you have a bet on this run, so you cannot cancel it: nobody both bets on a run and steers it";
  if (run.poolLocked && !operator) return "bets on this run have locked: only an operator can cancel it now (a cancel refunds every bet)";
  return null;
}

/** Why the actor may not give a run its own verifier at launch, or null (the agent's applies). */
export function launchVerifierRefusal(actor: Pick<RunActor, "role">): string | null {
  return isOperatorRole(actor.role) ? null : "only an operator can set a run's verifier; the agent's verifier applies";
}
