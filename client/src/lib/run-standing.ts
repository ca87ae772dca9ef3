// The signed-in user's standing in a run, for the rules in shared/run-rules.ts (the same rules the
// server enforces), so a panel can say why an action is not open to them instead of failing.
import type { RunActor, RunActorRole, RunStanding } from "@shared/run-rules";
import type { RunDetail } from "../live/use-live-run";

export function runStanding(run: RunDetail, now: number): RunStanding {
  const pool = run.pool;
  return {
    createdById: run.createdBy.id,
    hasBet: run.viewer?.hasBet ?? false,
    hasPrompted: run.viewer?.hasPrompted ?? false,
    poolLocked: !pool || pool.status !== "open" || (pool.locksAt !== null && new Date(pool.locksAt).getTime() <= now),
    workspaceRole: run.viewer?.workspaceRole ?? null,
  };
}

export function runActor(user: { id: string; role: string } | null): RunActor | null {
  return user ? { userId: user.id, role: user.role as RunActorRole } : null;
}
