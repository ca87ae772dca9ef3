// Screenshots and files from agents, stored on a volume (never inside events), reviewable by
// operators (pending → approved | rejected).
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { AppError } from "../../lib/errors";
import { inTransaction, type DbClient } from "../../lib/db";
import { STARTED_RUN_STATUSES } from "@shared/run-status";
import { statusList } from "../../lib/run-status-sql";
import type { ArtifactKind, ReviewState } from "../../generated/prisma/enums";
import { visibleRunsWhere, type Viewer } from "../workspaces/visibility";

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

export interface StoreArtifactInput {
  runId: string;
  artifactDir: string;
  kind: ArtifactKind;
  filename: string;
  contentType: string;
  /** The received file, already on the artifacts volume; moved into place when accepted. */
  upload: { path: string; size: number };
  /** Per-run quotas: how many artifacts and how many bytes in all. */
  limits: { perRun: number; bytesPerRun: number };
}

export async function storeArtifact(db: DbClient, input: StoreArtifactInput) {
  if (input.kind === "screenshot" && !SCREENSHOT_TYPES.includes(input.contentType)) {
    throw new AppError("BAD_REQUEST", `a screenshot must be an image (${SCREENSHOT_TYPES.join(", ")}), not ${input.contentType}`, {
      field: "file",
    });
  }
  const filename =
    path
      .basename(input.filename)
      .replace(/[^\w.\- ]+/g, "_")
      .slice(0, 200) || "file";
  const storageKey = `${input.runId}/${randomUUID()}`;
  const file = artifactPath(input.artifactDir, storageKey);
  await mkdir(path.dirname(file), { recursive: true });
  await rename(input.upload.path, file);
  try {
    return await inTransaction(db, async (tx) => {
      // The row lock taken here also serializes a run's concurrent uploads for the quota check.
      const run = await tx.$queryRaw<{ status: string }[]>`
        UPDATE runs SET "lastActivityAt" = now() WHERE id = ${input.runId} AND status IN ${statusList(STARTED_RUN_STATUSES)} RETURNING status`;
      if (!run[0]) throw new AppError("CONFLICT", "the run is not active; it cannot upload artifacts");
      const [used] = await tx.$queryRaw<{ count: number; bytes: bigint }[]>`
        SELECT count(*)::int AS count, coalesce(sum(size), 0)::bigint AS bytes FROM artifacts WHERE "runId" = ${input.runId}`;
      if (used!.count >= input.limits.perRun) {
        throw new AppError("CONFLICT", `file: the run already has ${used!.count} artifacts, the most a run may store`, { field: "file" });
      }
      if (Number(used!.bytes) + input.upload.size > input.limits.bytesPerRun) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `file: the run's artifacts would exceed ${input.limits.bytesPerRun} bytes in all (${used!.bytes} used, this file is ${input.upload.size})`,
          { field: "file" },
        );
      }
      return tx.artifact.create({
        data: {
          runId: input.runId,
          kind: input.kind,
          filename,
          contentType: input.contentType,
          size: input.upload.size,
          storageKey,
        },
        select: artifactSelect,
      });
    });
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
}

/** Operators review artifacts; one of a run the reviewer may not see is not found (the visibility rule). */
export async function reviewArtifact(
  db: DbClient,
  input: { reviewer: Viewer; artifactId: string; state: Exclude<ReviewState, "pending">; note?: string },
) {
  const existing = await db.artifact.findUnique({
    where: { id: input.artifactId, run: visibleRunsWhere(input.reviewer) },
    select: { id: true },
  });
  if (!existing) throw new AppError("NOT_FOUND", "no artifact with that id", { field: "artifactId" });
  return db.artifact.update({
    where: { id: input.artifactId },
    data: { reviewState: input.state, reviewNote: input.note ?? null, reviewedById: input.reviewer.id, reviewedAt: new Date() },
    select: { ...artifactSelect, runId: true },
  });
}
