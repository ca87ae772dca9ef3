// The server's side of a person a browser test signed up: for setting up what the page should then
// show. Server modules are imported when called, after useBrowserStack's Paddock has read its
// configuration.
import type { Person } from "./browser";

/** Their user row, a tRPC caller acting as them, and their personal workspace. */
export async function serverSideOf(who: Pick<Person, "email">) {
  const { db } = await import("../../server/lib/db");
  const { createCaller } = await import("../../server/trpc/root");
  const { createContextInner } = await import("../../server/trpc/context");
  const { personalWorkspaceId } = await import("../../server/domain/workspaces/personal");
  const user = await db.user.findUniqueOrThrow({ where: { email: who.email } });
  const caller = createCaller(createContextInner({ user: { id: user.id, role: user.role } }));
  const workspaceId = (await personalWorkspaceId(db, user.id))!;
  return { db, user, caller, workspaceId };
}
