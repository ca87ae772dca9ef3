import { Link } from "react-router";
import type { RouterOutputs } from "../trpc";
import { formatCents } from "../lib/format";
import { OddsBar, ProgressBar, StatusBadge, TimeLeft, VerifiedBadge } from "./run-bits";

export type RunSummary = RouterOutputs["run"]["list"]["items"][number];

export function RunCard({ run }: { run: RunSummary }) {
  return (
    <Link to={`/runs/${run.id}`} className={`card run-card status-${run.status}`} data-testid="run-card" data-run-id={run.id}>
      <div className="run-card-head">
        <StatusBadge status={run.status} />
        <VerifiedBadge run={run} />
        {run.visibility === "workspace" && (
          <span className="chip chip-private" data-testid="run-private" title={`Only members of ${run.workspace.name} can see this run`}>
            private
          </span>
        )}
        <span className="chip" title={run.agent.name}>
          {run.agent.model}
        </span>
      </div>
      <h3 className="run-goal">{run.goal}</h3>
      <ProgressBar current={run.currentProgress} target={run.targetValue} metric={run.metric} size="sm" />
      {run.pool && (
        <OddsBar
          yesTotal={run.pool.yesTotal}
          noTotal={run.pool.noTotal}
          compact
          emptyLabel={run.pool.status === "open" ? "No bets yet" : "No bets"}
        />
      )}

      <div className="run-card-foot">
        {run.pool?.outcome ? (
          <span>
            <span className={`side-tag ${run.pool.outcome}`}>{run.pool.outcome.toUpperCase()}</span> won
          </span>
        ) : (
          <TimeLeft expiresAt={run.expiresAt} status={run.status} finishedAt={run.finishedAt} />
        )}
        <span title="Pool size">{run.pool ? `pool ${formatCents(run.pool.yesTotal + run.pool.noTotal)}` : ""}</span>
        <span className="muted" title="Created by">
          {run.createdBy.name}
        </span>
      </div>
    </Link>
  );
}

export function RunCardSkeleton() {
  return (
    <div className="card run-card skeleton-card" aria-hidden>
      <span className="skeleton" style={{ width: 80, height: 20 }} />
      <span className="skeleton" style={{ width: "90%", height: 18 }} />
      <span className="skeleton" style={{ width: "60%", height: 18 }} />
      <span className="skeleton" style={{ width: "100%", height: 8 }} />
      <span className="skeleton" style={{ width: "100%", height: 8 }} />
    </div>
  );
}
