import { createCallerFactory, createTRPCRouter } from "./init";
import { userRouter } from "../routers/user/user.router";

export const appRouter = createTRPCRouter({
  user: userRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
