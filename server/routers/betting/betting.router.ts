// The betting procedures: parse, call the domain, and publish live updates after commit.
import { createTRPCRouter, protectedProcedure } from "../../trpc/init";
import { db } from "../../lib/db";
import { live } from "../../realtime/emit";
import { getOdds, leaderboard, myBets, placeBet, poolWithRecentBets, quote } from "../../domain/betting";
import { leaderboardInput, myBetsInput, placeBetInput, poolInput, quoteInput, sandboxInput } from "./betting.schema";

export const bettingRouter = createTRPCRouter({
  placeBet: protectedProcedure.input(placeBetInput).mutation(async ({ ctx, input }) => {
    const bet = await placeBet({ userId: ctx.user.id, ...input });
    live.latest(`pool:${bet.sandboxId}`, () =>
      live.sandboxAndArena(bet.sandboxId, "pool:update", {
        sandboxId: bet.sandboxId,
        poolId: bet.poolId,
        ...bet.pool,
        status: "open",
        outcome: null,
        lockReason: null,
      }),
    );
    live.gather(
      `bets:${bet.sandboxId}`,
      {
        sandboxId: bet.sandboxId,
        poolId: bet.poolId,
        betId: bet.betId,
        side: bet.side,
        amount: bet.amount,
        userId: bet.userId,
        userName: bet.userName,
        createdAt: bet.createdAt.toISOString(),
      },
      (bets) => live.sandbox(bet.sandboxId, "bets:placed", { sandboxId: bet.sandboxId, bets }),
    );
    live.user(bet.userId, "balance:update", { balance: bet.balance, reason: "bet" });
    return bet;
  }),

  getOdds: protectedProcedure.input(sandboxInput).query(({ input }) => getOdds(db, input.sandboxId)),

  quote: protectedProcedure.input(quoteInput).query(({ input }) => quote(db, input)),

  pool: protectedProcedure.input(poolInput).query(({ input }) => poolWithRecentBets(db, input)),

  myBets: protectedProcedure.input(myBetsInput).query(({ ctx, input }) => myBets(db, ctx.user.id, input)),

  leaderboard: protectedProcedure.input(leaderboardInput).query(({ input }) => leaderboard(db, input)),
});
