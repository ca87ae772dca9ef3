// The external agent API, mounted at /api/agents/v1, for agents living outside Paddock (any
// language; bearer `pk_…` key):
//   POST /heartbeat                 { status?: "available" | "busy" } — seen now; leases on its claims renewed
//   GET  /tasks/next?wait=0..300    claims at most one task (200 { task }) or answers 204 after `wait` seconds
//   POST /tasks/:id/progress        { message?, percent?, data? } — noted on the attempt; lease renewed
//   POST /tasks/:id/result          { outcome: "succeeded" | "failed", summary, output?, files?, costCents?, tokensUsed? }
import express, { Router, type Request } from "express";
import { z } from "zod";
import { config } from "../../config";
import { AppError } from "../../lib/errors";
import { jsonErrorHandler, sendJson, zodToAppError } from "../../lib/http-errors";
import { heartbeatBody, idSchema, taskProgressBody, taskResultBody } from "@shared/work";
import { agentHeartbeat, claimTaskForAgent, reportTaskProgress, reportTaskResult } from "../../commands/tasks";
import { agentKeyAuth } from "./auth";

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToAppError(result.error, prefix);
  return result.data;
}

const agentOf = (req: Request) => req.apiAgent!;

/** Where the agent API is mounted (app.ts). */
export const AGENT_API_PATH = "/api/agents/v1";

export function createAgentApiRouter(): Router {
  const router = Router();
  const waitQuery = z.object({
    wait: z.coerce
      .number()
      .int("must be a whole number of seconds")
      .min(0, "must be at least 0")
      .max(config.AGENT_LONG_POLL_MAX_SECONDS, `must be at most ${config.AGENT_LONG_POLL_MAX_SECONDS}`)
      .default(0),
  });

  router.use(agentKeyAuth());
  const json = express.json({ limit: config.BRIDGE_BODY_LIMIT });

  router.post("/heartbeat", json, async (req, res) => {
    const body = parse(heartbeatBody, req.body ?? {});
    res.json(await agentHeartbeat({ agentId: agentOf(req).agentId, status: body.status }));
  });

  router.get("/tasks/next", async (req, res) => {
    const { wait } = parse(waitQuery, req.query, "query.");
    const abort = new AbortController();
    // The agent hung up before its answer: stop waiting (a task claimed after that would sit until
    // its lease expires). Not after the answer went out: an abort builds a DOMException with a stack.
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const agent = agentOf(req);
    const task = await claimTaskForAgent({
      agentId: agent.agentId,
      workspaceId: agent.workspaceId,
      waitSeconds: wait,
      signal: abort.signal,
    });
    if (!task) return void res.status(204).end();
    sendJson(res, 200, {
      task: {
        id: task.taskId,
        attemptId: task.attemptId,
        attempt: task.attempt,
        leaseExpiresAt: task.leaseExpiresAt,
        tokenBudget: task.tokenBudget,
        context: task.context,
      },
    });
  });

  router.post("/tasks/:id/progress", json, async (req, res) => {
    const taskId = parse(idSchema, req.params.id, "id");
    const progress = parse(taskProgressBody, req.body ?? {});
    res.json(await reportTaskProgress({ agentId: agentOf(req).agentId, taskId, progress }));
  });

  router.post("/tasks/:id/result", json, async (req, res) => {
    const taskId = parse(idSchema, req.params.id, "id");
    const body = parse(taskResultBody, req.body);
    sendJson(res, 200, await reportTaskResult({ agentId: agentOf(req).agentId, taskId, body }));
  });

  router.use((_req, _res, next) => next(new AppError("NOT_FOUND", "no such agent API route")));
  router.use(jsonErrorHandler);
  return router;
}
