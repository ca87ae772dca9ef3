-- The workspace role client (a guest who sees only the projects shared with them, through the
-- portal), and the projects an invitation sent to a client shares once it is accepted.
ALTER TYPE "WorkspaceRole" ADD VALUE 'client';

ALTER TABLE "workspace_invitations" ADD COLUMN "projectIds" TEXT[] DEFAULT ARRAY[]::TEXT[];
