// Artifact files for signed-in users: GET /api/artifacts/:id. Images display inline; anything
// else downloads, so an uploaded HTML file can never run in Paddock's origin. An artifact of a run
// the user may not see is not found, exactly like an id that does not exist (the visibility rule).
import { Router } from "express";
import path from "node:path";
import type { ExpressAuthConfig } from "@auth/express";
import { config } from "../config";
import { db } from "../lib/db";
import { resolveUser } from "../auth/resolve-user";
import { sendError } from "../lib/http-errors";
import { artifactPath, SCREENSHOT_TYPES } from "../domain/runs/artifacts";
import { visibleRunsWhere } from "../domain/workspaces/visibility";

export function createArtifactRouter(authConfig: ExpressAuthConfig): Router {
  const router = Router();
  router.get("/:id", async (req, res) => {
    const user = await resolveUser(db, authConfig, req);
    if (!user) return sendError(res, 401, "UNAUTHORIZED", "sign in first");
    const artifact = await db.artifact.findUnique({
      where: { id: req.params.id, run: visibleRunsWhere(user) },
      select: { storageKey: true, contentType: true, filename: true },
    });
    if (!artifact) return sendError(res, 404, "NOT_FOUND", "no artifact with that id");
    const inline = SCREENSHOT_TYPES.includes(artifact.contentType);
    res.setHeader("Content-Type", inline ? artifact.contentType : "application/octet-stream");
    res.setHeader("Content-Disposition", `${inline ? "inline" : "attachment"}; filename="${artifact.filename.replace(/"/g, "")}"`);
    res.setHeader("Cache-Control", "private, max-age=86400, immutable");
    res.sendFile(artifactPath(path.resolve(config.DATA_DIR, "artifacts"), artifact.storageKey), { dotfiles: "allow" }, (err) => {
      if (err && !res.headersSent) sendError(res, 404, "NOT_FOUND", "the artifact's file is missing");
    });
  });
  return router;
}
