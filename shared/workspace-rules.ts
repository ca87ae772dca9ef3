// Who may do what in a workspace: the one rule the server's domain enforces and the client uses to
// show only the actions a member may take. Site roles (operator, admin) are about runs and users
// (shared/run-rules.ts, user.setRole) and grant nothing here: a site admin who is not a member of a
// workspace cannot see it, like anyone else. (They do see every run, to steer and cancel any:
// server/domain/workspaces/visibility.ts.)
//
// A `client` is a guest: a member row that holds none of the permissions below, not even `view`.
// They see only the projects shared with them (project_shares), through the portal (portal.*,
// message.*): the delivered deliverables, the client-visible activity and the message thread —
// never the workspace's runs, tasks, agents, drafts or costs, and never its Socket.IO room.

export const WORKSPACE_ROLES = ["owner", "admin", "member", "viewer", "client"] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Each permission and the roles that hold it. */
export const WORKSPACE_PERMISSIONS = {
  /** See the workspace, its members and (with runs in workspaces) its runs. */
  view: ["owner", "admin", "member", "viewer"],
  rename: ["owner", "admin"],
  delete: ["owner"],
  /** Invite, change roles, remove members and see pending invitations (within the owner limits below). */
  manageMembers: ["owner", "admin"],
  /** Launch runs in the workspace. */
  launchRuns: ["owner", "admin", "member"],
  /** Prompt, inject credits into and cancel the workspace's runs, within shared/run-rules.ts's fairness rule. */
  steerRuns: ["owner", "admin", "member"],
  /** Subscribe the workspace to a plan, change or cancel it, and see its invoices (shared/billing.ts). */
  manageBilling: ["owner", "admin"],
  /** Create and change projects and tasks; dispatch, cancel and retry tasks (reading them is `view`). */
  editWork: ["owner", "admin", "member"],
  /** Create, change and archive the workspace's agents, make and revoke their keys, read and replay their deliveries. */
  manageAgents: ["owner", "admin"],
} as const satisfies Record<string, readonly WorkspaceRole[]>;

export type WorkspacePermission = keyof typeof WORKSPACE_PERMISSIONS;

export function can(role: WorkspaceRole, permission: WorkspacePermission): boolean {
  return (WORKSPACE_PERMISSIONS[permission] as readonly WorkspaceRole[]).includes(role);
}

/** Why an action is refused: the error code the server answers with, the input field, and a message. */
export interface WorkspaceRefusal {
  code: "FORBIDDEN" | "CONFLICT";
  field?: "id" | "role" | "userId" | "email" | "invitationId";
  message: string;
}

export interface WorkspaceActor {
  userId: string;
  role: WorkspaceRole;
}

export interface WorkspaceStanding {
  personal: boolean;
  /** How many owners the workspace has now. */
  ownerCount: number;
}

const forbidden = (message: string, field?: WorkspaceRefusal["field"]): WorkspaceRefusal =>
  field ? { code: "FORBIDDEN", field, message } : { code: "FORBIDDEN", message };

export const PERSONAL_IS_SOLO = "a personal workspace has only its owner: create a workspace to work with others";

/** The roles this actor may give (at invitation or by a role change): only owners make owners. */
export function assignableRoles(actorRole: WorkspaceRole): WorkspaceRole[] {
  if (actorRole === "owner") return [...WORKSPACE_ROLES];
  if (actorRole === "admin") return ["admin", "member", "viewer", "client"];
  return [];
}

export function launchRefusal(actorRole: WorkspaceRole): WorkspaceRefusal | null {
  if (can(actorRole, "launchRuns")) return null;
  if (actorRole === "client") return forbidden("clients cannot launch runs: they see the projects shared with them in the portal");
  return forbidden("viewers cannot launch runs in this workspace: ask an owner or admin for the member role");
}

/** Whether the role is a guest's: no workspace permission, only the projects shared with them. */
export const isClientRole = (role: WorkspaceRole): boolean => role === "client";

/** Who may share a project with a client, see its shares and withdraw them: the workspace's owners and admins. */
export function shareRefusal(actorRole: WorkspaceRole): WorkspaceRefusal | null {
  return can(actorRole, "manageMembers") ? null : forbidden("only the workspace's owners and admins can share its projects with clients");
}

export function billingRefusal(actorRole: WorkspaceRole): WorkspaceRefusal | null {
  return can(actorRole, "manageBilling") ? null : forbidden("only the workspace's owners and admins can manage its plan and billing");
}

export function renameRefusal(actorRole: WorkspaceRole): WorkspaceRefusal | null {
  return can(actorRole, "rename") ? null : forbidden("only the workspace's owners and admins can rename it");
}

/** `liveRuns`: the workspace's queued, booting and running runs, when the caller knows them. */
export function deleteRefusal(
  actorRole: WorkspaceRole,
  ws: Pick<WorkspaceStanding, "personal"> & { liveRuns?: number },
): WorkspaceRefusal | null {
  if (!can(actorRole, "delete")) return forbidden("only an owner can delete the workspace");
  if (ws.personal) return { code: "CONFLICT", field: "id", message: "a personal workspace cannot be deleted" };
  if (ws.liveRuns) {
    return {
      code: "CONFLICT",
      field: "id",
      message: `the workspace has ${ws.liveRuns} live run(s) (queued, booting or running): wait for them to end or cancel them first`,
    };
  }
  return null;
}

export function inviteRefusal(
  actorRole: WorkspaceRole,
  role: WorkspaceRole,
  ws: Pick<WorkspaceStanding, "personal">,
): WorkspaceRefusal | null {
  if (!can(actorRole, "manageMembers")) return forbidden("only the workspace's owners and admins can invite");
  if (ws.personal) return { code: "CONFLICT", field: "id", message: PERSONAL_IS_SOLO };
  if (!assignableRoles(actorRole).includes(role)) return forbidden("only an owner can make someone an owner", "role");
  return null;
}

export function revokeInviteRefusal(actorRole: WorkspaceRole): WorkspaceRefusal | null {
  return can(actorRole, "manageMembers") ? null : forbidden("only the workspace's owners and admins can revoke invitations");
}

/** Why the actor may not give `target` the role `role`, or null. */
export function roleChangeRefusal(
  actor: WorkspaceActor,
  target: WorkspaceActor,
  role: WorkspaceRole,
  ws: WorkspaceStanding,
): WorkspaceRefusal | null {
  if (!can(actor.role, "manageMembers")) return forbidden("only the workspace's owners and admins can change roles");
  if (target.role === "owner" && actor.role !== "owner") return forbidden("only an owner can change an owner's role", "userId");
  if (!assignableRoles(actor.role).includes(role)) return forbidden("only an owner can make someone an owner", "role");
  if (target.role === "owner" && role !== "owner" && ws.ownerCount <= 1) {
    return { code: "CONFLICT", field: "role", message: "the last owner cannot be demoted: make another member owner first" };
  }
  return null;
}

/** Why the actor may not leave the workspace, or null. */
export function leaveRefusal(actor: Pick<WorkspaceActor, "role">, ws: WorkspaceStanding): WorkspaceRefusal | null {
  if (ws.personal) return { code: "CONFLICT", field: "id", message: "you cannot leave your personal workspace" };
  if (actor.role === "owner" && ws.ownerCount <= 1) {
    return {
      code: "CONFLICT",
      field: "id",
      message: "the last owner cannot leave: make another member owner first, or delete the workspace",
    };
  }
  return null;
}

/** Why the actor may not remove `target` from the workspace, or null. Removing oneself is leaving. */
export function removalRefusal(actor: WorkspaceActor, target: WorkspaceActor, ws: WorkspaceStanding): WorkspaceRefusal | null {
  if (actor.userId === target.userId) return leaveRefusal(actor, ws);
  if (!can(actor.role, "manageMembers")) return forbidden("only the workspace's owners and admins can remove members");
  if (target.role === "owner" && actor.role !== "owner") return forbidden("only an owner can remove an owner", "userId");
  return null;
}
