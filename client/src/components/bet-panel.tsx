// Odds and the bet slip. The quote is computed in the browser with the server's own parimutuel
// math (shared/odds.ts) against the live pool, so it moves as others bet.
import { useMemo, useState, type FormEvent } from "react";
import { computeOdds, quoteBet, type BetSide } from "@shared/odds";
import type { BetPlacedMessage } from "@shared/realtime";
import { betRefusal } from "@shared/run-rules";
import { describeLock, isLiveRun, LOCK_REASONS, reachedProgressLock } from "@shared/run-status";
import { useMe } from "../hooks/use-me";
import { runActor, runStanding } from "../lib/run-standing";
import { trpc } from "../trpc";
import { centsFromInput, formatAgo, formatCents, formatMultiplier, formatPercent } from "../lib/format";
import { errorMessage, fieldErrors } from "../lib/errors";
import { useNow } from "../hooks/use-now";
import { OddsBar } from "./run-bits";
import { Spinner } from "./states";
import type { RunDetail } from "../live/use-live-run";

const QUICK = ["1", "5", "10", "25"];

/** A rule's refusal ("you cannot …") as a sentence. */
export const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

/** Why bets are refused right now (a sentence), or null while the pool is open. */
export function bettingClosedReason(run: RunDetail, now: number): string | null {
  const pool = run.pool;
  if (!pool) return "This run has no betting pool.";
  if (pool.status === "settled") return pool.outcome ? `Settled: ${pool.outcome.toUpperCase()} won.` : "Settled.";
  if (pool.status === "refunded") return "Refunded: every bet was returned.";
  if (pool.status === "locked") return `Betting is locked: ${pool.lockReason ? describeLock(pool.lockReason) : "the pool is closed"}.`;
  if (!isLiveRun(run.status)) return "Betting is closed: the run has ended.";
  if (pool.locksAt && new Date(pool.locksAt).getTime() <= now) return `Betting is locked: ${LOCK_REASONS.time}.`;
  if (run.targetValue > 0 && reachedProgressLock(run.currentProgress, run.targetValue))
    return `Betting is locked: ${LOCK_REASONS.progress}.`;
  return null;
}

export function BetPanel({ run, recentBets }: { run: RunDetail; recentBets: BetPlacedMessage[] }) {
  const now = useNow();
  const utils = trpc.useUtils();
  const [side, setSide] = useState<BetSide>("yes");
  const [amountText, setAmountText] = useState("5");
  const [error, setError] = useState<string>();
  const [placed, setPlaced] = useState<string>();
  const placeBet = trpc.betting.placeBet.useMutation();
  const myBets = trpc.betting.myBets.useQuery({ runId: run.id });

  const pool = run.pool;
  const totals = { yesTotal: pool?.yesTotal ?? 0, noTotal: pool?.noTotal ?? 0 };
  const odds = computeOdds(totals);
  const actor = runActor(useMe().user);
  const refusal = actor ? betRefusal(actor, runStanding(run, now)) : null;
  const closed = bettingClosedReason(run, now);
  const amount = centsFromInput(amountText);
  const quote = useMemo(
    () => ("cents" in amount ? quoteBet(totals, side, amount.cents) : null),
    // `amount` follows `amountText`, and only the two totals matter, not the object that carries them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [totals.yesTotal, totals.noTotal, side, amountText],
  );

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setPlaced(undefined);
    if ("error" in amount) {
      setError(`Amount ${amount.error}`);
      return;
    }
    setError(undefined);
    try {
      await placeBet.mutateAsync({ runId: run.id, side, amount: amount.cents });
      setPlaced(`Bet placed: ${formatCents(amount.cents)} on ${side.toUpperCase()}`);
      void utils.betting.myBets.invalidate();
      // A bettor may no longer steer the run: the prompt and cancel controls read this.
      void utils.run.get.invalidate({ id: run.id });
    } catch (err) {
      // Server messages already name the field ("amount must be …").
      setError(fieldErrors(err).amount ?? errorMessage(err));
    }
  };

  const mine = myBets.data?.items ?? [];
  const staked = mine.reduce((s, b) => s + b.amount, 0);

  return (
    <section className="card bet-panel slot-market" aria-labelledby="bet-title" data-testid="bet-panel">
      <div className="card-head">
        <h2 id="bet-title">Market</h2>
        <span className="muted">{pool ? `${pool.betCount} ${pool.betCount === 1 ? "bet" : "bets"}` : ""}</span>
      </div>
      <OddsBar yesTotal={totals.yesTotal} noTotal={totals.noTotal} emptyLabel={closed ? "No bets" : "No bets yet — be the first"} />
      <dl className="pool-stats">
        <div>
          <dt>YES pool</dt>
          <dd className="yes">{formatCents(totals.yesTotal)}</dd>
        </div>
        <div>
          <dt>NO pool</dt>
          <dd className="no">{formatCents(totals.noTotal)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd data-testid="pool-total">{formatCents(odds.totalPool)}</dd>
        </div>
      </dl>

      {closed ? (
        <p className="notice" data-testid="betting-closed">
          {closed}
        </p>
      ) : refusal ? (
        <p className="notice" data-testid="bet-refusal">
          {sentence(refusal)}
        </p>
      ) : (
        <form className="bet-form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <div className="side-toggle" role="radiogroup" aria-label="Side">
            {(["yes", "no"] as const).map((s) => (
              <button
                key={s}
                type="button"
                role="radio"
                aria-checked={side === s}
                className={`side side-${s}${side === s ? " active" : ""}`}
                onClick={() => setSide(s)}
                data-testid={`bet-side-${s}`}
              >
                <strong>{s.toUpperCase()}</strong>
                <small>{s === "yes" ? "reaches the target" : "falls short"}</small>
                <small>{formatMultiplier(s === "yes" ? odds.yes.multiplier : odds.no.multiplier)}</small>
              </button>
            ))}
          </div>
          <label className="amount-field">
            <span>Stake</span>
            <span className="amount-input">
              <span aria-hidden>$</span>
              <input
                inputMode="decimal"
                value={amountText}
                onChange={(e) => setAmountText(e.target.value)}
                aria-label="Stake in dollars"
                aria-invalid={Boolean(error)}
                data-testid="bet-amount"
              />
            </span>
          </label>
          <div className="quick">
            {QUICK.map((q) => (
              <button key={q} type="button" className="chip chip-button" onClick={() => setAmountText(q)}>
                ${q}
              </button>
            ))}
          </div>
          <div className="quote" data-testid="bet-quote" aria-live="polite">
            {quote ? (
              <>
                <span>
                  Pays <strong data-testid="bet-payout">{formatCents(quote.potentialPayout)}</strong> if {side.toUpperCase()} (
                  {formatMultiplier(quote.multiplier)})
                </span>
                <span className={quote.profit >= 0 ? "gain" : "loss"}>
                  {quote.profit >= 0 ? "+" : ""}
                  {formatCents(quote.profit)} · implied {formatPercent(quote.impliedProbability, 0)}
                </span>
              </>
            ) : (
              <span className="muted">Enter a stake to see the payout.</span>
            )}
            {quote && (side === "yes" ? totals.noTotal : totals.yesTotal) === 0 && (
              <span className="muted small">
                Nobody is on {side === "yes" ? "NO" : "YES"} yet: winnings come only from stakes against you.
              </span>
            )}
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          {placed && <p className="success">{placed}</p>}
          <button type="submit" className={`btn btn-block btn-${side}`} disabled={placeBet.isPending} data-testid="place-bet">
            {placeBet.isPending ? (
              <Spinner label="Placing bet" />
            ) : (
              `Bet ${"cents" in amount ? formatCents(amount.cents) : ""} on ${side.toUpperCase()}`
            )}
          </button>
          <p className="fine muted">Pool odds move until betting locks; winners split the whole pool pro rata.</p>
        </form>
      )}

      <div className="my-bets" data-testid="my-bets">
        <h3>Your bets {mine.length > 0 && <span className="muted">· {formatCents(staked)} staked</span>}</h3>
        {myBets.isPending ? (
          <Spinner />
        ) : myBets.isError ? (
          <p className="field-error">{errorMessage(myBets.error)}</p>
        ) : mine.length === 0 ? (
          <p className="muted">You have not bet on this run.</p>
        ) : (
          <ul className="bet-list">
            {mine.map((b) => (
              <li key={b.id}>
                <span className={`side-tag ${b.side}`}>{b.side.toUpperCase()}</span>
                <span>{formatCents(b.amount)}</span>
                <span className="muted">@ {formatMultiplier(b.oddsAtPlacement)}</span>
                <span className="bet-result">
                  {b.state === "open" ? (
                    <span className="muted">{b.poolStatus === "locked" ? "locked" : "open"}</span>
                  ) : b.state === "refunded" ? (
                    <span className="muted">refunded</span>
                  ) : (
                    <span
                      className={b.state === "won" ? "gain" : "loss"}
                      data-testid="bet-result"
                      title={b.payout !== null ? `paid ${formatCents(b.payout)}` : undefined}
                    >
                      {b.state} {b.profit !== null ? `${b.profit > 0 ? "+" : ""}${formatCents(b.profit)}` : ""}
                    </span>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>

      {recentBets.length > 0 && (
        <div className="ticker" data-testid="recent-bets">
          <h3>Just now</h3>
          <ul>
            {recentBets.slice(0, 5).map((b) => (
              <li key={b.betId}>
                <span>{b.userName}</span> bet {formatCents(b.amount)} on{" "}
                <span className={`side-tag ${b.side}`}>{b.side.toUpperCase()}</span>
                <span className="muted"> {formatAgo(b.createdAt, now)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
