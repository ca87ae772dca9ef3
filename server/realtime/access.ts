// Who may watch what over Socket.IO: the run visibility rule (server/domain/workspaces/visibility.ts),
// the same one every procedure, the artifact files and the betting market use, applied to the user
// as they are now. Nothing here decides anything of its own: a socket only knows a user id, so this
// reads the user's current site role and asks the rule.
import type { DbClient } from "../lib/db";
import { canSeeRun, RUN_SEEING_MEMBER } from "../domain/workspaces/visibility";

/**
 * Reads the user's current site role rather than the handshake's, so a demoted operator or a
 * deleted account loses private runs at the next check. A made-up id is refused like a run the
 * user may not see, rather than joining an empty room that would silently never receive anything.
 */
export async function canViewRun(db: DbClient, userId: string, runId: string): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
  return canSeeRun(db, user, runId);
}

/**
 * Only a workspace's members (viewers included) may join its room, whatever their site role — not
 * its clients: the room carries task, run and deliverable changes with costs. A client's live
 * messages go to their own user room.
 */
export async function isWorkspaceMember(db: DbClient, userId: string, workspaceId: string): Promise<boolean> {
  const m = await db.workspaceMember.findFirst({ where: { workspaceId, userId, ...RUN_SEEING_MEMBER }, select: { userId: true } });
  return m !== null;
}
