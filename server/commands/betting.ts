// The commands of the betting market: the domain's transaction, then its live messages.
import * as betting from "../domain/betting";
import { publishBetPlaced } from "./pool-effects";
import { AppError } from "../lib/errors";
import { db } from "../lib/db";
import { assertNotOverdrawn } from "../domain/billing/plans";

export async function placeBet(input: betting.PlaceBetInput): Promise<betting.PlacedBet> {
  const bet = await betting.placeBet(input).catch(async (e: unknown) => {
    // A balance below zero after a Stripe refund or dispute refuses every bet (the statement's
    // balance check); say why, rather than "insufficient funds". Read only on a refusal: bets stay one statement.
    if (e instanceof AppError && e.code === "INSUFFICIENT_FUNDS") await assertNotOverdrawn(db, input.userId, "amount");
    throw e;
  });
  publishBetPlaced(bet);
  return bet;
}
