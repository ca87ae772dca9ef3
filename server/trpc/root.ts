import { createCallerFactory, createTRPCRouter } from "./init";
import { userRouter } from "../routers/user/user.router";
import { sandboxRouter } from "../routers/sandbox/sandbox.router";
import { bettingRouter } from "../routers/betting/betting.router";
import { workspaceRouter } from "../routers/workspace/workspace.router";
import { pipelineRouter } from "../routers/pipeline/pipeline.router";

export const appRouter = createTRPCRouter({
  user: userRouter,
  sandbox: sandboxRouter,
  betting: bettingRouter,
  workspace: workspaceRouter,
  pipeline: pipelineRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
