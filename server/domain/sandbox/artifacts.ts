// Screenshots and files from agents, stored on a volume (never inside events), reviewable by
// operators (pending → approved | rejected).
import { mkdir, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { AppError } from "../../lib/errors";
import type { Db } from "../../lib/db";
import type { ArtifactKind, ReviewState } from "../../generated/prisma/enums";

export const SCREENSHOT_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];

export const artifactSelect = {
  id: true,
  kind: true,
  filename: true,
  contentType: true,
  size: true,
  reviewState: true,
  reviewNote: true,
  reviewedAt: true,
  createdAt: true,
} as const;

export function artifactPath(artifactDir: string, storageKey: string): string {
  return path.join(artifactDir, storageKey);
}

export async function storeArtifact(
  db: Db,
  input: { sandboxId: string; artifactDir: string; kind: ArtifactKind; filename: string; contentType: string; content: Buffer },
) {
  if (input.kind === "screenshot" && !SCREENSHOT_TYPES.includes(input.contentType)) {
    throw new AppError("BAD_REQUEST", `a screenshot must be an image (${SCREENSHOT_TYPES.join(", ")}), not ${input.contentType}`, { field: "file" });
  }
  const filename = path.basename(input.filename).replace(/[^\w.\- ]+/g, "_").slice(0, 200) || "file";
  const storageKey = `${input.sandboxId}/${randomUUID()}`;
  const file = artifactPath(input.artifactDir, storageKey);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, input.content);
  try {
    return await db.$transaction(async (tx) => {
      const run = await tx.$queryRaw<{ status: string }[]>`
        UPDATE sandboxes SET "lastActivityAt" = now() WHERE id = ${input.sandboxId} AND status IN ('booting', 'running') RETURNING status`;
      if (!run[0]) throw new AppError("CONFLICT", "the run is not active; it cannot upload artifacts");
      return tx.artifact.create({
        data: { sandboxId: input.sandboxId, kind: input.kind, filename, contentType: input.contentType, size: input.content.length, storageKey },
        select: artifactSelect,
      });
    });
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
}

export async function reviewArtifact(db: Db, input: { reviewerId: string; artifactId: string; state: Exclude<ReviewState, "pending">; note?: string }) {
  const existing = await db.artifact.findUnique({ where: { id: input.artifactId }, select: { id: true } });
  if (!existing) throw new AppError("NOT_FOUND", "no artifact with that id", { field: "artifactId" });
  return db.artifact.update({
    where: { id: input.artifactId },
    data: { reviewState: input.state, reviewNote: input.note ?? null, reviewedById: input.reviewerId, reviewedAt: new Date() },
    select: { ...artifactSelect, sandboxId: true },
  });
}
