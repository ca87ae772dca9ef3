// message.*: a project's thread, for the workspace's members who may see the project and the
// clients it is shared with (server/domain/portal/messages.ts); NOT_FOUND for anyone else.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { listMessages } from "../../domain/portal/messages";
import { postMessage } from "../../commands/portal";
import { messageListInput, messagePostInput } from "@shared/portal";

export const messageRouter = createTRPCRouter({
  list: protectedProcedure.input(messageListInput).query(({ ctx, input }) => listMessages(db, { ...input, userId: ctx.user.id })),

  post: protectedProcedure.input(messagePostInput).mutation(({ ctx, input }) => postMessage({ ...input, userId: ctx.user.id })),
});
