// Small pieces every run view uses: status badge, progress bar, odds bar, countdown.
import { computeOdds } from "@shared/odds";
import { isLiveRun } from "@shared/run-status";
import { formatDuration, formatNumber, formatPercent, progressPercent, formatMultiplier, toDate } from "../lib/format";
import { useNow } from "../hooks/use-now";

const STATUS_LABEL: Record<string, string> = {
  queued: "Queued",
  booting: "Booting",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
  expired: "Expired",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid="run-status" data-status={status}>
      {isLiveRun(status) && <span className="pulse" aria-hidden />}
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function ProgressBar({
  current,
  target,
  metric,
  size = "md",
}: {
  current: number;
  target: number;
  metric?: string;
  size?: "sm" | "md";
}) {
  const pct = progressPercent(current, target);
  return (
    <div className={`progress progress-${size}`} data-testid="run-progress" data-progress={current}>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={target} aria-valuenow={current}>
        <div className={`progress-fill${pct >= 100 ? " progress-done" : ""}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-label">
        <span>
          <strong>{formatNumber(current)}</strong> / {formatNumber(target)} {metric}
        </span>
        <span>{pct.toFixed(0)}%</span>
      </div>
    </div>
  );
}

export function OddsBar({
  yesTotal,
  noTotal,
  compact = false,
  emptyLabel = "No bets yet",
}: {
  yesTotal: number;
  noTotal: number;
  compact?: boolean;
  emptyLabel?: string;
}) {
  const odds = computeOdds({ yesTotal, noTotal });
  const empty = odds.totalPool === 0;
  const yesPct = odds.yes.impliedProbability ?? 0.5;
  return (
    <div
      className={`odds${compact ? " odds-compact" : ""}${empty ? " odds-empty" : ""}`}
      data-testid="odds"
      data-yes={yesTotal}
      data-no={noTotal}
    >
      <div className="odds-bar" aria-hidden>
        <span className="odds-yes" style={{ width: `${yesPct * 100}%` }} />
        <span className="odds-no" style={{ width: `${(1 - yesPct) * 100}%` }} />
      </div>
      {empty ? (
        <div className="odds-labels">
          <span className="muted">{emptyLabel}</span>
        </div>
      ) : (
        <div className="odds-labels">
          <span className="yes" data-testid="odds-yes">
            YES {formatMultiplier(odds.yes.multiplier)} {!compact && <small>{formatPercent(odds.yes.impliedProbability, 0)}</small>}
          </span>
          <span className="no" data-testid="odds-no">
            {!compact && <small>{formatPercent(odds.no.impliedProbability, 0)}</small>} NO {formatMultiplier(odds.no.multiplier)}
          </span>
        </div>
      )}
    </div>
  );
}

export function TimeLeft({
  expiresAt,
  status,
  finishedAt,
}: {
  expiresAt: Date | string | null;
  status: string;
  finishedAt?: Date | string | null;
}) {
  const now = useNow();
  if (!isLiveRun(status)) {
    const f = toDate(finishedAt ?? null);
    return <span className="muted">{f ? "ended" : "—"}</span>;
  }
  const end = toDate(expiresAt);
  if (!end) return <span className="muted">{status === "running" ? "—" : "starting"}</span>;
  const left = end.getTime() - now;
  return (
    <span className={left < 60_000 ? "time-left urgent" : "time-left"} data-testid="time-left">
      {formatDuration(left)} left
    </span>
  );
}

/**
 * How a run's success is measured: by its verifier (a command run in its sandbox) rather than the
 * agent's own report. Short on a card; with the measured value on the run page (`detail`).
 */
export function VerifiedBadge({
  run,
  detail = false,
}: {
  run: {
    verifier: string | null;
    verifiedProgress: number | null;
    verifyRequestedAt: Date | string | null;
    status: string;
    targetValue: number;
  };
  detail?: boolean;
}) {
  if (!run.verifier) return null;
  if (run.verifiedProgress !== null) {
    return (
      <span
        className="chip chip-verified"
        data-testid="verified"
        data-verified={run.verifiedProgress}
        title={`Measured ${run.verifiedProgress} of ${run.targetValue} by its verifier: ${run.verifier}`}
      >
        {detail ? `✓ verified ${run.verifiedProgress} of ${run.targetValue}` : "✓ verified"}
      </span>
    );
  }
  if (!isLiveRun(run.status)) return null;
  return (
    <span className="chip chip-verifier" data-testid="verifier" title={`Success will be measured by its verifier: ${run.verifier}`}>
      {run.verifyRequestedAt ? "verifying…" : "verifier"}
    </span>
  );
}
