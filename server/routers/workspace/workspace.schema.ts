// Input schemas of the workspace procedures: shapes only; who may do what is the domain's rule.
import { z } from "zod";
import { emailSchema } from "@shared/schemas";
import { WORKSPACE_ROLES } from "@shared/workspace-rules";

const id = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
const userId = id;
const name = z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters");
const role = z.enum(WORKSPACE_ROLES, `must be one of ${WORKSPACE_ROLES.join(", ")}`);

export const workspaceIdInput = z.object({ id });
export const createWorkspaceInput = z.object({ name });
export const updateWorkspaceInput = z.object({ id, name });
export const inviteInput = z.object({ id, email: emailSchema, role });
export const acceptInviteInput = z.object({ token: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters") });
export const setRoleInput = z.object({ id, userId, role });
export const removeMemberInput = z.object({ id, userId });
export const revokeInviteInput = z.object({ id, invitationId: id });
