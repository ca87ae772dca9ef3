// The external agent API, mounted at /api/agents/v1, for agents living outside Paddock (any
// language; bearer `pk_…` key):
//   POST /heartbeat                 { status?: "available" | "busy" } — seen now; leases on its claims renewed
//   GET  /tasks/next?wait=0..300    claims at most one task (200 { task }) or answers 204 after `wait` seconds
//   POST /tasks/:id/progress        { message?, percent?, data? } — noted on the attempt; lease renewed
//   POST /tasks/:id/result          { outcome: "succeeded" | "failed", summary, output?, files?, costCents?, tokensUsed? }
//
// One plain Node handler answers them, in front of Express (lib/front-door.ts; server/app.ts sends
// it every request under AGENT_API_PATH): it routes its four calls itself and reads JSON bodies with the capped reader
// tRPC uses (lib/read-body.ts). A claim and a result are two calls per task, the busiest plain-HTTP
// calls Paddock answers. The figures, from `npm run bench:dispatch` (the API's CPU per claim →
// result round trip, side by side on the 2-core machine): behind an Express Router with body-parser
// 1.58–1.63 ms; routed by this handler, still inside Express, 1.34–1.39 ms; in front of Express
// 0.89–0.91 ms (throughput 403–481 → 528–563 → 639–656 tasks/s). It writes the same request log
// and security headers as every other route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { config } from "../../config";
import { AppError } from "../../lib/errors";
import { sendJson, zodToAppError } from "../../lib/http-errors";
import { chain, type Step } from "../../lib/front-door";
import { readBody } from "../../lib/read-body";
import { heartbeatBody, idSchema, taskProgressBody, taskResultBody } from "@shared/work";
import { agentHeartbeat, claimTaskForAgent, reportTaskProgress, reportTaskResult } from "../../commands/tasks";
import { authenticateAgent, type ApiAgent } from "./auth";
import { agentKeysWarmUp } from "../../domain/agents/keys-sql";
import { claimWarmUp } from "../../domain/tasks/claim-sql";
import { finishWarmUp } from "../../domain/tasks/finish-sql";

/** The agent API's hot statements on the raw pool, prepared when an API process starts (lib/pg.ts, warmPgPool). */
export const agentApiWarmUp = [agentKeysWarmUp, claimWarmUp, finishWarmUp];

/** Where the agent API is mounted (app.ts). */
export const AGENT_API_PATH = "/api/agents/v1";

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToAppError(result.error, prefix);
  return result.data;
}

// As Express routes them: any case, one trailing slash allowed.
const HEARTBEAT = /^\/heartbeat\/?$/i;
const NEXT_TASK = /^\/tasks\/next\/?$/i;
const TASK_CALL = /^\/tasks\/([^/]+)\/(progress|result)\/?$/i;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The request's JSON body, as express.json reads it: none unless it is sent as JSON, `{}` when empty. */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, config.BRIDGE_BODY_LIMIT);
  if (!body.ok) {
    throw new AppError("PAYLOAD_TOO_LARGE", `body: ${body.size} bytes is more than the ${config.BRIDGE_BODY_LIMIT} bytes allowed`, {
      field: "body",
    });
  }
  if (!JSON_TYPE.test(req.headers["content-type"] ?? "")) return undefined;
  if (!body.bytes || body.bytes.length === 0) return {};
  try {
    return JSON.parse(body.bytes.toString("utf8")) as unknown;
  } catch {
    throw new AppError("BAD_REQUEST", "body is not valid JSON", { field: "body" });
  }
}

function taskIdParam(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new AppError("BAD_REQUEST", "id: is not a valid URL component", { field: "id" });
  }
  return parse(idSchema, id, "id");
}

/**
 * The agent API's request handler, for requests under AGENT_API_PATH; `before` runs first (the
 * request log and security headers every route gets).
 */
export function createAgentApi(before: Step[]): (req: IncomingMessage, res: ServerResponse) => void {
  const waitQuery = z.object({
    wait: z.coerce
      .number()
      .int("must be a whole number of seconds")
      .min(0, "must be at least 0")
      .max(config.AGENT_LONG_POLL_MAX_SECONDS, `must be at most ${config.AGENT_LONG_POLL_MAX_SECONDS}`)
      .default(0),
  });

  async function nextTask(query: string, res: ServerResponse, agent: ApiAgent) {
    const { wait } = parse(waitQuery, { wait: new URLSearchParams(query).get("wait") ?? undefined }, "query.");
    const abort = new AbortController();
    // The agent hung up before its answer: stop waiting (a task claimed after that would sit until
    // its lease expires). Not after the answer went out: an abort builds a DOMException with a stack.
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const task = await claimTaskForAgent({
      agentId: agent.agentId,
      workspaceId: agent.workspaceId,
      waitSeconds: wait,
      signal: abort.signal,
    });
    if (!task) {
      res.statusCode = 204;
      return void res.end();
    }
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
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const agent = await authenticateAgent(req.headers.authorization);
    const url = req.url!.slice(AGENT_API_PATH.length);
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (req.method === "GET" && NEXT_TASK.test(path)) return nextTask(q < 0 ? "" : url.slice(q + 1), res, agent);
    if (req.method === "POST") {
      if (HEARTBEAT.test(path)) {
        const body = parse(heartbeatBody, (await jsonBody(req)) ?? {});
        return sendJson(res, 200, await agentHeartbeat({ agentId: agent.agentId, status: body.status }));
      }
      const call = TASK_CALL.exec(path);
      if (call) {
        const taskId = taskIdParam(call[1]!);
        const body = await jsonBody(req);
        if (call[2]!.toLowerCase() === "result") {
          const result = parse(taskResultBody, body);
          return sendJson(res, 200, await reportTaskResult({ agentId: agent.agentId, taskId, body: result }));
        }
        const progress = parse(taskProgressBody, body ?? {});
        return sendJson(res, 200, await reportTaskProgress({ agentId: agent.agentId, taskId, progress }));
      }
    }
    throw new AppError("NOT_FOUND", "no such agent API route");
  }

  return chain([...before, (req, res, next) => void serve(req, res).catch(next)]);
}
