// Who may see a run: the one rule every read and write of a run goes through — the run procedures,
// the betting market, artifact files, Socket.IO rooms (server/realtime/access.ts) and the arena.
// Someone who may not see a run is told it does not exist (`runNotFound`, the very error a made-up
// id gets), so ids reveal nothing.
//
// - a public run: every signed-in user (the arena);
// - a workspace run: the workspace's members, viewers included — not its clients (guests see only
//   the projects shared with them, through the portal, never a run);
// - site operators and admins: every run, because they steer and cancel any run (shared/run-rules.ts)
//   and cannot moderate what they cannot see. Anonymous callers see nothing.
//
// The rule in four forms, one per kind of caller, all here (visibility.test.ts proves they agree):
// `mayView` on facts already loaded, `visibleRunsWhere` for Prisma queries (and `canSeeRun`, one run
// by id, built on it), `visibleRunsSql` for `$queryRaw` aggregates, and `visibleRunSqlText` for the
// `pg` statements of hot paths (placeBet).
import { AppError } from "../../lib/errors";
import { Prisma, type DbClient } from "../../lib/db";
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

/** The error for a run the caller may not see — the same as for a run that does not exist. */
export function runNotFound(field: "id" | "runId" = "id"): AppError {
  return new AppError("NOT_FOUND", "no run with that id", { field });
}

/** The membership that shows a workspace's runs: any role but the client's (shared/workspace-rules.ts). */
export const RUN_SEEING_MEMBER = { role: { not: "client" } } as const satisfies Prisma.WorkspaceMemberWhereInput;

/** Site operators and admins see every run, in every workspace. */
export const seesEveryRun = (viewer: Viewer): boolean => isOperatorRole(viewer.role);

/** The rule on facts already loaded: `memberOf` is whether the viewer belongs to the run's workspace in a role other than client. */
export function mayView(viewer: Viewer | null, run: Pick<RunPlacement, "visibility">, memberOf: boolean): boolean {
  if (!viewer) return false;
  return run.visibility === "public" || seesEveryRun(viewer) || memberOf;
}

/**
 * The rule as a `where` on runs: AND it with a query's own filters (`{ AND: [visibleRunsWhere(v), …] }`,
 * or as a relation filter such as `{ run: visibleRunsWhere(v) }`). Public runs or runs of a
 * workspace the viewer belongs to; everything for operators; nothing anonymously.
 */
export function visibleRunsWhere(viewer: Viewer | null): Prisma.RunWhereInput {
  if (!viewer) return { id: { in: [] } };
  if (seesEveryRun(viewer)) return {};
  return { OR: [{ visibility: "public" }, { workspace: { members: { some: { userId: viewer.id, ...RUN_SEEING_MEMBER } } } }] };
}

/** One run by id, only if the viewer may see it: a `findUnique` where (one query, no second lookup). */
export function visibleRunWhere(viewer: Viewer | null, runId: string): Prisma.RunWhereUniqueInput {
  return { id: runId, AND: [visibleRunsWhere(viewer)] };
}

/** May this user see this run? False for runs that do not exist, as for runs they may not see. One query. */
export async function canSeeRun(db: DbClient, viewer: Viewer | null, runId: string): Promise<boolean> {
  if (!viewer) return false;
  const run = await db.run.findUnique({ where: visibleRunWhere(viewer, runId), select: { id: true } });
  return run !== null;
}

/** Throws `runNotFound(field)` unless the viewer may see the run. */
export async function assertCanSeeRun(db: DbClient, viewer: Viewer | null, runId: string, field: "id" | "runId" = "id") {
  if (!(await canSeeRun(db, viewer, runId))) throw runNotFound(field);
}

/**
 * The rule as a SQL condition on the run row aliased `alias` (a trusted identifier, never input),
 * for `$queryRaw` aggregates: `WHERE ${visibleRunsSql(viewer, "s")}`.
 */
export function visibleRunsSql(viewer: Viewer | null, alias: string): Prisma.Sql {
  if (!viewer) return Prisma.sql`false`;
  if (seesEveryRun(viewer)) return Prisma.sql`true`;
  const run = Prisma.raw(alias);
  return Prisma.sql`(${run}.visibility = 'public'
    OR EXISTS (SELECT 1 FROM workspace_members vm WHERE vm."workspaceId" = ${run}."workspaceId" AND vm."userId" = ${viewer.id} AND vm.role <> 'client'))`;
}

/**
 * The rule as SQL text over column expressions, for statements sent through the `pg` pool where
 * each row carries its own viewer (placeBet's batches): `seesEveryRun` is a boolean expression
 * holding `seesEveryRun(viewer)` for the row's viewer. All four arguments are trusted SQL
 * expressions (column references, parameters), never input.
 */
export function visibleRunSqlText(expr: { visibility: string; workspaceId: string; userId: string; seesEveryRun: string }): string {
  return `(${expr.visibility} = 'public' OR ${expr.seesEveryRun}
    OR EXISTS (SELECT 1 FROM workspace_members vm WHERE vm."workspaceId" = ${expr.workspaceId} AND vm."userId" = ${expr.userId} AND vm.role <> 'client'))`;
}
