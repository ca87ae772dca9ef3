// Who may do what to a run: the one rule the server's domain enforces (placeBet, submitPrompt,
// cancel) and the client uses to explain a disabled button. Nobody both bets on a run and steers
// it: steering (prompts, cancel) belongs to the run's creator and to operators, a bettor may not
// steer, and a user who may steer (the creator) or already did (a prompt) may not bet. Once the
// pool has locked, only operators may cancel (a cancel refunds every bet).

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
  /** The actor has sent the run a prompt. */
  hasPrompted: boolean;
  /** Bets are closed (locked, by time or progress, or the run ended). */
  poolLocked: boolean;
}

export const isOperatorRole = (role: string): boolean => role === "operator" || role === "admin";

/** Why the actor may not bet on the run, or null. Also written in placeBet's SQL verdict. */
export const BET_REFUSALS = {
  own_run: "you cannot bet on your own run: its creator steers it (prompts, cancel)",
  steered_run: "you cannot bet on a run you have prompted: whoever steers a run may not bet on it",
} as const;

export function betRefusal(actor: RunActor, run: Pick<RunStanding, "createdById" | "hasPrompted">): string | null {
  if (run.createdById === actor.userId) return BET_REFUSALS.own_run;
  if (run.hasPrompted) return BET_REFUSALS.steered_run;
  return null;
}

/** Why the actor may not send the run a prompt, or null. */
export function promptRefusal(actor: RunActor, run: Pick<RunStanding, "createdById" | "hasBet">): string | null {
  if (run.createdById !== actor.userId && !isOperatorRole(actor.role)) {
    return "only the run's creator or an operator can prompt it";
  }
  if (run.hasBet) return "you have a bet on this run, so you cannot prompt it: nobody both bets on a run and steers it";
  return null;
}

/** Why the actor may not cancel the run, or null. */
export function cancelRefusal(actor: RunActor, run: Pick<RunStanding, "createdById" | "hasBet" | "poolLocked">): string | null {
  const operator = isOperatorRole(actor.role);
  if (run.createdById !== actor.userId && !operator) return "only the run's creator or an operator can cancel it";
  if (run.hasBet) return "you have a bet on this run, so you cannot cancel it: nobody both bets on a run and steers it";
  if (run.poolLocked && !operator) return "bets on this run have locked: only an operator can cancel it now (a cancel refunds every bet)";
  return null;
}

/** Why the actor may not give a run its own verifier at launch, or null (the profile's applies). */
export function launchVerifierRefusal(actor: Pick<RunActor, "role">): string | null {
  return isOperatorRole(actor.role) ? null : "only an operator can set a run's verifier; the agent profile's verifier applies";
}
