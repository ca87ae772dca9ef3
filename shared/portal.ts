// The client portal's inputs and the shapes it shows: the projects a workspace shares with its
// clients, their delivered work (never drafts, reviews, approvals not yet delivered or rejected
// versions, and never a cost, run, agent or attempt), ratings, and the project's message thread.
import { z } from "zod";
import { emailSchema } from "./schemas";
import { idSchema } from "./work";

export const RATING_MIN = 1;
export const RATING_MAX = 5;
export const MESSAGE_MAX = 4000;
export const RATING_COMMENT_MAX = 2000;

export const portalIdInput = z.object({ id: idSchema });
export const portalProjectInput = z.object({ projectId: idSchema });

export const rateInput = z.object({
  id: idSchema,
  rating: z
    .number("must be a whole number from 1 to 5")
    .int("must be a whole number from 1 to 5")
    .min(RATING_MIN, "must be at least 1")
    .max(RATING_MAX, "must be at most 5"),
  comment: z.string().trim().max(RATING_COMMENT_MAX, `must be at most ${RATING_COMMENT_MAX} characters`).optional(),
});
export type RateInput = z.infer<typeof rateInput>;

export const shareProjectInput = z.object({ projectId: idSchema, email: emailSchema });
export const unshareProjectInput = z.object({ projectId: idSchema, userId: idSchema });

export const messageListInput = z.object({
  projectId: idSchema,
  /** Messages older than this one (the oldest already shown). */
  before: idSchema.optional(),
  limit: z.number().int().min(1).max(200).default(100),
});
export const messagePostInput = z.object({
  projectId: idSchema,
  body: z.string().trim().min(1, "must not be empty").max(MESSAGE_MAX, `must be at most ${MESSAGE_MAX} characters`),
});

/** A file of a delivered version as a client sees it: `previewUrl` when the portal serves it. */
export interface PortalFile {
  artifactId: string | null;
  filename: string;
  contentType: string;
  kind: string;
  previewUrl: string | null;
}

/** The path that serves a delivered version's artifact to the project's clients. */
export const portalFileUrl = (versionId: string, artifactId: string) =>
  `/api/portal/files/${encodeURIComponent(versionId)}/${encodeURIComponent(artifactId)}`;

/** Whether the portal previews a file inline (text and images; anything else is a download). */
export const isPreviewable = (contentType: string) => contentType.startsWith("image/") || contentType.startsWith("text/");
