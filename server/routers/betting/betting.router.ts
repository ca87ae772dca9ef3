// The betting procedures: parse, then call one command (a change) or one domain read.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { getOdds, leaderboard, myBets, poolWithRecentBets, quote } from "../../domain/betting";
import { placeBet } from "../../commands/betting";
import { leaderboardInput, myBetsInput, placeBetInput, poolInput, quoteInput, runInput } from "./betting.schema";

export const bettingRouter = createTRPCRouter({
  placeBet: protectedProcedure
    .input(placeBetInput)
    .mutation(({ ctx, input }) => placeBet({ userId: ctx.user.id, role: ctx.user.role, ...input })),

  getOdds: protectedProcedure.input(runInput).query(({ ctx, input }) => getOdds(db, ctx.user, input.runId)),

  quote: protectedProcedure.input(quoteInput).query(({ ctx, input }) => quote(db, ctx.user, input)),

  pool: protectedProcedure.input(poolInput).query(({ ctx, input }) => poolWithRecentBets(db, ctx.user, input)),

  myBets: protectedProcedure.input(myBetsInput).query(({ ctx, input }) => myBets(db, ctx.user, input)),

  leaderboard: protectedProcedure.input(leaderboardInput).query(({ ctx, input }) => leaderboard(db, ctx.user, input)),
});
