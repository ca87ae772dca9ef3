// The files of delivered versions for the project's clients: GET /api/portal/files/:versionId/:artifactId.
// A client may not see the run that made a file (server/domain/workspaces/visibility.ts), so the
// artifact route refuses them; this one serves an artifact only when it is listed by a delivered
// version of a deliverable on a project shared with the caller. Images display inline; anything
// else downloads (the portal reads text with fetch), so an uploaded HTML file never runs here.
import { Router } from "express";
import path from "node:path";
import type { ExpressAuthConfig } from "@auth/express";
import { config } from "../../config";
import { db } from "../../lib/db";
import { resolveUser } from "../../auth/resolve-user";
import { sendError } from "../../lib/http-errors";
import { artifactPath, SCREENSHOT_TYPES } from "../../domain/runs/artifacts";
import { deliveredArtifact } from "../../domain/portal/portal";

export function createPortalFileRouter(authConfig: ExpressAuthConfig): Router {
  const router = Router();
  router.get("/:versionId/:artifactId", async (req, res) => {
    const user = await resolveUser(db, authConfig, req);
    if (!user) return sendError(res, 401, "UNAUTHORIZED", "sign in first");
    const artifact = await deliveredArtifact(db, { userId: user.id, versionId: req.params.versionId, artifactId: req.params.artifactId });
    if (!artifact) return sendError(res, 404, "NOT_FOUND", "no file with that id");
    const inline = SCREENSHOT_TYPES.includes(artifact.contentType);
    res.setHeader("Content-Type", inline ? artifact.contentType : "application/octet-stream");
    res.setHeader("Content-Disposition", `${inline ? "inline" : "attachment"}; filename="${artifact.filename.replace(/"/g, "")}"`);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Cache-Control", "private, max-age=3600");
    res.sendFile(artifactPath(path.resolve(config.DATA_DIR, "artifacts"), artifact.storageKey), { dotfiles: "allow" }, (err) => {
      if (err && !res.headersSent) sendError(res, 404, "NOT_FOUND", "the file is missing");
    });
  });
  return router;
}
