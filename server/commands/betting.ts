// The commands of the betting market: the domain's transaction, then its live messages.
import * as betting from "../domain/betting";
import { publishBetPlaced } from "./pool-effects";

export async function placeBet(input: betting.PlaceBetInput): Promise<betting.PlacedBet> {
  const bet = await betting.placeBet(input);
  publishBetPlaced(bet);
  return bet;
}
