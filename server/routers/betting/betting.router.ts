// The betting procedures: parse, then call one command (a change) or one domain read.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { getOdds, leaderboard, myBets, poolWithRecentBets, quote } from "../../domain/betting";
import { placeBet } from "../../commands/betting";
import { leaderboardInput, myBetsInput, placeBetInput, poolInput, quoteInput, sandboxInput } from "./betting.schema";

export const bettingRouter = createTRPCRouter({
  placeBet: protectedProcedure.input(placeBetInput).mutation(({ ctx, input }) => placeBet({ userId: ctx.user.id, ...input })),

  getOdds: protectedProcedure.input(sandboxInput).query(({ input }) => getOdds(db, input.sandboxId)),

  quote: protectedProcedure.input(quoteInput).query(({ input }) => quote(db, input)),

  pool: protectedProcedure.input(poolInput).query(({ input }) => poolWithRecentBets(db, input)),

  myBets: protectedProcedure.input(myBetsInput).query(({ ctx, input }) => myBets(db, ctx.user.id, input)),

  leaderboard: protectedProcedure.input(leaderboardInput).query(({ input }) => leaderboard(db, input)),
});
