// Who may see and decide on a workspace's deliverables: its members read them (NOT_FOUND for
// anyone outside, exactly as for an id that does not exist); its owners and admins, and site
// operators and admins among its members, decide (shared/deliverables.ts mayDecide).
import { AppError } from "../../lib/errors";
import type { DbClient } from "../../lib/db";
import { DECIDE_REFUSAL, mayDecide } from "@shared/deliverables";
import { requireWork } from "../work-access";

/** The person acting: their id and their site role (member, operator, admin). */
export interface Actor {
  userId: string;
  siteRole: string;
}

export const deliverableNotFound = (field = "id") => new AppError("NOT_FOUND", "no deliverable with that id among yours", { field });

/** The caller may read the workspace's deliverables (`decide`: and decide on them); returns their workspace role. */
export async function requireDeliverableAccess(
  db: DbClient,
  input: { actor: Actor; workspaceId: string; decide: boolean; field: string; what: string },
) {
  const role = await requireWork(db, {
    workspaceId: input.workspaceId,
    userId: input.actor.userId,
    permission: "view",
    field: input.field,
    what: input.what,
  });
  if (input.decide && !mayDecide(role, input.actor.siteRole)) throw new AppError("FORBIDDEN", DECIDE_REFUSAL, { field: input.field });
  return role;
}

/** The deliverable's placement, if the caller may read it (and, with `decide`, decide on it). */
export async function deliverableFor(db: DbClient, input: { actor: Actor; id: string; decide: boolean; field?: string }) {
  const field = input.field ?? "id";
  const d = await db.deliverable.findUnique({ where: { id: input.id }, select: { id: true, workspaceId: true, projectId: true } });
  if (!d) throw deliverableNotFound(field);
  await requireDeliverableAccess(db, { actor: input.actor, workspaceId: d.workspaceId, decide: input.decide, field, what: "deliverable" });
  return d;
}
