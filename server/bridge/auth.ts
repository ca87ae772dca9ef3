// Bridge authentication: a bearer token minted for one run, stored hashed on the run, valid
// only while the run is booting or running. Paths carry the run id so a token used for another
// run is told so (403) rather than silently acting on its own run. The check (and the start of a
// run whose agent reports in while booting) is server/commands/run-agent.ts authenticateAgent.
import type { NextFunction, Request, Response } from "express";
import { bearerToken } from "../auth/resolve-user";
import { sendError } from "../lib/http-errors";
import type { BridgeRun } from "../domain/runs/bridge-sql";
import { authenticateAgent } from "../commands/run-agent";

declare module "express-serve-static-core" {
  interface Request {
    bridgeRun?: BridgeRun;
  }
}

export function bridgeAuth() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return sendError(res, 401, "UNAUTHORIZED", "missing bearer token: send Authorization: Bearer $PADDOCK_TOKEN");
    req.bridgeRun = await authenticateAgent({ token, runId: String(req.params.runId) });
    next();
  };
}
