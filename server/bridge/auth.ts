// Bridge authentication: a bearer token minted for one run, stored hashed on the run, valid
// only while the run is booting or running. Paths carry the run id so a token used for another
// run is told so (403) rather than silently acting on its own run.
import type { NextFunction, Request, Response } from "express";
import type { Db } from "../lib/db";
import { hashToken } from "../lib/passwords";
import { bearerToken } from "../auth/resolve-user";
import { sendError } from "../lib/http-errors";
import { pgPool } from "../lib/pg";
import { isStartedRun } from "@shared/run-status";
import { markRunning } from "../domain/runs/start";
import { afterRunStarted } from "../commands/run-started";

export interface BridgeRun {
  id: string;
  status: string;
}

declare module "express-serve-static-core" {
  interface Request {
    bridgeRun?: BridgeRun;
  }
}

export function bridgeAuth(db: Db) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return sendError(res, 401, "UNAUTHORIZED", "missing bearer token: send Authorization: Bearer $PADDOCK_TOKEN");
    const { rows } = await pgPool().query<BridgeRun>(`SELECT id, status::text AS status FROM runs WHERE "tokenHash" = $1`, [
      hashToken(token),
    ]);
    const run = rows[0];
    if (!run) return sendError(res, 401, "UNAUTHORIZED", "invalid or expired bridge token");
    if (run.id !== req.params.runId) return sendError(res, 403, "FORBIDDEN", "this token belongs to another run");
    if (!isStartedRun(run.status)) {
      return sendError(res, 403, "FORBIDDEN", `the run is ${run.status}; its token is no longer valid`);
    }
    if (run.status === "booting") {
      // The agent reporting in proves it started: the run is running from now on.
      const started = await markRunning(db, run.id);
      if (started) await afterRunStarted(started);
      run.status = "running";
    }
    req.bridgeRun = run;
    next();
  };
}
