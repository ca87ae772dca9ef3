import { createCallerFactory, createTRPCRouter } from "./init";
import { userRouter } from "../routers/user/user.router";
import { runRouter } from "../routers/run/run.router";
import { bettingRouter } from "../routers/betting/betting.router";
import { workspaceRouter } from "../routers/workspace/workspace.router";
import { llmCredentialRouter } from "../routers/llm-credential/llm-credential.router";
import { billingRouter } from "../routers/billing/billing.router";
import { agentRouter } from "../routers/agent/agent.router";
import { projectRouter } from "../routers/project/project.router";
import { taskRouter } from "../routers/task/task.router";
import { pipelineRouter } from "../routers/pipeline/pipeline.router";
import { slaRouter } from "../routers/sla/sla.router";
import { deliverableRouter } from "../routers/deliverable/deliverable.router";

export const appRouter = createTRPCRouter({
  user: userRouter,
  run: runRouter,
  sandbox: runRouter, // former name of run: clients that call sandbox.* keep working
  betting: bettingRouter,
  workspace: workspaceRouter,
  llmCredential: llmCredentialRouter,
  billing: billingRouter,
  agent: agentRouter,
  project: projectRouter,
  task: taskRouter,
  pipeline: pipelineRouter,
  sla: slaRouter,
  deliverable: deliverableRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
