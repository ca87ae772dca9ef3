import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { config } from "../../config";
import { db } from "../../lib/db";
import { createWorkspace, getWorkspace, listWorkspaces, renameWorkspace } from "../../domain/workspaces/workspaces";
import { listMembers } from "../../domain/workspaces/members";
import { deleteWorkspace, leaveWorkspace, removeMember, setMemberRole } from "../../commands/workspace";
import { acceptInvitation, inviteToWorkspace, revokeInvitation } from "../../domain/workspaces/invitations";
import {
  acceptInviteInput,
  createWorkspaceInput,
  inviteInput,
  removeMemberInput,
  revokeInviteInput,
  setRoleInput,
  updateWorkspaceInput,
  workspaceIdInput,
} from "./workspace.schema";

export const workspaceRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createWorkspaceInput)
    .mutation(({ ctx, input }) => createWorkspace(db, { userId: ctx.user.id, name: input.name })),

  list: protectedProcedure.query(({ ctx }) => listWorkspaces(db, { userId: ctx.user.id })),

  get: protectedProcedure
    .input(workspaceIdInput)
    .query(({ ctx, input }) => getWorkspace(db, { userId: ctx.user.id, workspaceId: input.id })),

  update: protectedProcedure
    .input(updateWorkspaceInput)
    .mutation(({ ctx, input }) => renameWorkspace(db, { userId: ctx.user.id, workspaceId: input.id, name: input.name })),

  delete: protectedProcedure
    .input(workspaceIdInput)
    .mutation(({ ctx, input }) => deleteWorkspace({ userId: ctx.user.id, workspaceId: input.id })),

  members: protectedProcedure
    .input(workspaceIdInput)
    .query(({ ctx, input }) => listMembers(db, { userId: ctx.user.id, workspaceId: input.id })),

  invite: protectedProcedure.input(inviteInput).mutation(({ ctx, input }) =>
    inviteToWorkspace(db, {
      actorId: ctx.user.id,
      workspaceId: input.id,
      email: input.email,
      role: input.role,
      publicUrl: config.PUBLIC_URL,
      ttlDays: config.WORKSPACE_INVITE_TTL_DAYS,
    }),
  ),

  revokeInvite: protectedProcedure
    .input(revokeInviteInput)
    .mutation(({ ctx, input }) => revokeInvitation(db, { actorId: ctx.user.id, workspaceId: input.id, invitationId: input.invitationId })),

  acceptInvite: protectedProcedure
    .input(acceptInviteInput)
    .mutation(({ ctx, input }) => acceptInvitation(db, { userId: ctx.user.id, token: input.token })),

  setRole: protectedProcedure
    .input(setRoleInput)
    .mutation(({ ctx, input }) => setMemberRole({ actorId: ctx.user.id, workspaceId: input.id, userId: input.userId, role: input.role })),

  removeMember: protectedProcedure
    .input(removeMemberInput)
    .mutation(({ ctx, input }) => removeMember({ actorId: ctx.user.id, workspaceId: input.id, userId: input.userId })),

  leave: protectedProcedure
    .input(workspaceIdInput)
    .mutation(({ ctx, input }) => leaveWorkspace({ userId: ctx.user.id, workspaceId: input.id })),
});
