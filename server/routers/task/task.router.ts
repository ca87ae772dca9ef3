// task.*: tasks of a workspace's projects. Members create, change, dispatch, cancel and retry;
// viewers read; outsiders get NOT_FOUND.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { getTask, listTasks } from "../../domain/tasks/tasks";
import { cancelTask, createTask, dispatchTask, retryTask, updateTask } from "../../commands/tasks";
import { createTaskInput, dispatchTaskInput, taskIdInput, taskListInput, updateTaskInput } from "@shared/work";

export const taskRouter = createTRPCRouter({
  create: protectedProcedure.input(createTaskInput).mutation(({ ctx, input }) => createTask({ ...input, userId: ctx.user.id })),

  list: protectedProcedure.input(taskListInput).query(({ ctx, input }) => listTasks(db, { ...input, userId: ctx.user.id })),

  get: protectedProcedure.input(taskIdInput).query(({ ctx, input }) => getTask(db, { userId: ctx.user.id, taskId: input.id })),

  update: protectedProcedure.input(updateTaskInput).mutation(({ ctx, input }) => updateTask({ ...input, userId: ctx.user.id })),

  cancel: protectedProcedure.input(taskIdInput).mutation(({ ctx, input }) => cancelTask({ userId: ctx.user.id, taskId: input.id })),

  retry: protectedProcedure.input(taskIdInput).mutation(({ ctx, input }) => retryTask({ userId: ctx.user.id, taskId: input.id })),

  /** The "Process" button: dispatch now, to `agentId` if given. */
  dispatch: protectedProcedure
    .input(dispatchTaskInput)
    .mutation(({ ctx, input }) => dispatchTask({ userId: ctx.user.id, taskId: input.id, agentId: input.agentId })),
});
