// Who may watch what over Socket.IO. The rule lives here and nowhere else, so a stricter
// install (private runs, per-team visibility) changes one function.
import type { DbClient } from "../lib/db";

/**
 * A signed-in user may watch any run of the install (Paddock is a team tool: every member sees
 * the arena), but only runs that exist — subscribing to a made-up id is refused rather than
 * joining an empty room that would silently never receive anything.
 */
export async function canViewSandbox(db: DbClient, userId: string, sandboxId: string): Promise<boolean> {
  const [user, run] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { id: true } }),
    db.sandbox.findUnique({ where: { id: sandboxId }, select: { id: true } }),
  ]);
  return Boolean(user && run);
}
