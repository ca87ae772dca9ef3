// Who may see a run: the one rule every read of a run uses (Socket.IO rooms, the run's pages, the
// lists, bets and artifacts as their procedures move onto it). Someone who may not see a run is
// told it does not exist, so ids reveal nothing.
//
// - a public run: every signed-in user (the arena);
// - a workspace run: the workspace's members, viewers included;
// - site operators and admins: every run, because they steer and cancel any run (shared/run-rules.ts)
//   and cannot moderate what they cannot see. Anonymous callers see nothing.
import type { DbClient, Prisma } from "../../lib/db";
import { isOperatorRole } from "@shared/run-rules";

export interface Viewer {
  id: string;
  /** The site role (member, operator, admin). */
  role: string;
}

export interface RunPlacement {
  workspaceId: string;
  visibility: "workspace" | "public";
}

/** The rule on facts already loaded: `memberOf` is whether the viewer belongs to the run's workspace. */
export function mayView(viewer: Viewer | null, run: RunPlacement, memberOf: boolean): boolean {
  if (!viewer) return false;
  if (run.visibility === "public" || isOperatorRole(viewer.role)) return true;
  return memberOf;
}

/** May this user see this run? False for runs that do not exist, as for runs they may not see. */
export async function canSeeRun(db: DbClient, viewer: Viewer | null, sandboxId: string): Promise<boolean> {
  if (!viewer) return false;
  const run = await db.sandbox.findUnique({
    where: { id: sandboxId },
    select: {
      workspaceId: true,
      visibility: true,
      workspace: { select: { members: { where: { userId: viewer.id }, select: { userId: true } } } },
    },
  });
  if (!run) return false;
  return mayView(viewer, run, run.workspace.members.length > 0);
}

/**
 * The same rule as a `where` for lists of runs: AND it with the list's own filters. Public runs
 * or runs of a workspace the viewer belongs to; everything for operators; nothing anonymously.
 */
export function visibleRunsWhere(viewer: Viewer | null): Prisma.SandboxWhereInput {
  if (!viewer) return { id: { in: [] } };
  if (isOperatorRole(viewer.role)) return {};
  return { OR: [{ visibility: "public" }, { workspace: { members: { some: { userId: viewer.id } } } }] };
}
