// The workspace commands whose change reaches open sockets: the domain's transaction, then,
// once it has committed, the announcement that makes the affected users' sockets re-check the
// run rooms they are in (server/realtime/membership.ts). Other workspace procedures have no
// effect beyond their transaction and call the domain directly.
import { db } from "../lib/db";
import type { WorkspaceRole } from "@shared/workspace-rules";
import * as members from "../domain/workspaces/members";
import * as workspaces from "../domain/workspaces/workspaces";
import { announceMembershipChange } from "../realtime/membership";

export async function setMemberRole(args: { actorId: string; workspaceId: string; userId: string; role: WorkspaceRole }) {
  const member = await members.setMemberRole(db, args);
  await announceMembershipChange([args.userId]);
  return member;
}

export async function removeMember(args: { actorId: string; workspaceId: string; userId: string }) {
  const result = await members.removeMember(db, args);
  await announceMembershipChange([args.userId]);
  return result;
}

export async function leaveWorkspace(args: { userId: string; workspaceId: string }) {
  const result = await members.leaveWorkspace(db, args);
  await announceMembershipChange([args.userId]);
  return result;
}

export async function deleteWorkspace(args: { userId: string; workspaceId: string }) {
  const { memberIds, ...result } = await workspaces.deleteWorkspace(db, args);
  // The moved runs' watchers: members other than the deleting owner lose its private ones.
  await announceMembershipChange(memberIds);
  return result;
}
