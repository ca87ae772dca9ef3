// Model comparison: runs that share a goal, side by side, and the per-model leaderboard.
import { Link, useSearchParams } from "react-router";
import { useMemo } from "react";
import { trpc } from "../trpc";
import { useLiveArena } from "../live/use-live-arena";
import { ProgressBar, StatusBadge } from "../components/run-bits";
import { Empty, ErrorState, Loading } from "../components/states";
import { formatCents, formatDuration, formatPercent, toDate } from "../lib/format";
import { useDocumentTitle } from "../hooks/use-document-title";

function GoalPicker() {
  const recent = trpc.run.list.useQuery({ limit: 100 });
  const goals = useMemo(() => {
    const counts = new Map<string, { goal: string; runs: number; models: Set<string> }>();
    for (const r of recent.data?.items ?? []) {
      const entry = counts.get(r.goal) ?? { goal: r.goal, runs: 0, models: new Set<string>() };
      entry.runs += 1;
      entry.models.add(r.agent.model);
      counts.set(r.goal, entry);
    }
    return [...counts.values()].sort((a, b) => b.models.size - a.models.size || b.runs - a.runs).slice(0, 12);
  }, [recent.data]);

  if (recent.isPending) return <Loading label="Loading goals…" />;
  if (recent.isError) return <ErrorState error={recent.error} retry={() => void recent.refetch()} />;
  if (goals.length === 0)
    return <Empty title="Nothing to compare yet">Launch the same goal with different models to compare them here.</Empty>;
  return (
    <section className="card">
      <div className="card-head">
        <h2>Pick a goal</h2>
      </div>
      <ul className="goal-list">
        {goals.map((g) => (
          <li key={g.goal}>
            <Link to={`/compare?goal=${encodeURIComponent(g.goal)}`}>{g.goal}</Link>
            <span className="muted small">
              {g.runs} {g.runs === 1 ? "run" : "runs"} · {g.models.size} {g.models.size === 1 ? "model" : "models"}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SideBySide({ goal, id }: { goal?: string; id?: string }) {
  const compare = trpc.run.compare.useQuery(goal ? { goal } : { id: id! });
  if (compare.isPending) return <Loading label="Loading runs…" />;
  if (compare.isError) return <ErrorState error={compare.error} retry={() => void compare.refetch()} />;
  const { runs } = compare.data;
  const fastest = runs
    .filter((r) => r.status === "succeeded" && r.reachedTargetAt && r.startedAt)
    .sort((a, b) => secondsToGoal(a)! - secondsToGoal(b)!)[0]?.id;

  return (
    <section aria-labelledby="compare-title">
      <div className="compare-head">
        <h2 id="compare-title">“{compare.data.goal}”</h2>
        <Link to="/compare" className="muted">
          Other goals
        </Link>
      </div>
      <div className="compare-strip" data-testid="compare-runs">
        {runs.map((r) => (
          <Link key={r.id} to={`/runs/${r.id}`} className={`card compare-card${r.id === fastest ? " best" : ""}`}>
            <div className="run-card-head">
              <span className="chip">{r.agent.model}</span>
              <StatusBadge status={r.status} />
            </div>
            {r.id === fastest && <span className="ribbon">Fastest</span>}
            <ProgressBar current={r.currentProgress} target={r.targetValue} metric={r.metric} size="sm" />
            <dl className="facts facts-tight">
              <div>
                <dt>Time to goal</dt>
                <dd>{secondsToGoal(r) === null ? "—" : formatDuration(secondsToGoal(r)! * 1000)}</dd>
              </div>
              <div>
                <dt>Credits spent</dt>
                <dd>{formatCents(r.creditsSpent)}</dd>
              </div>
              <div>
                <dt>Cost</dt>
                <dd>{formatCents(r.costCents)}</dd>
              </div>
              <div>
                <dt>Pool</dt>
                <dd>{r.pool ? formatCents(r.pool.yesTotal + r.pool.noTotal) : "—"}</dd>
              </div>
            </dl>
          </Link>
        ))}
      </div>
    </section>
  );
}

function secondsToGoal(r: { startedAt: Date | string | null; reachedTargetAt: Date | string | null }): number | null {
  const s = toDate(r.startedAt);
  const e = toDate(r.reachedTargetAt);
  return s && e ? Math.max(0, (e.getTime() - s.getTime()) / 1000) : null;
}

function ModelLeaderboard() {
  const stats = trpc.run.modelStats.useQuery();
  if (stats.isPending) return <Loading label="Loading model stats…" />;
  if (stats.isError) return <ErrorState error={stats.error} retry={() => void stats.refetch()} />;
  const rows = [...stats.data].sort((a, b) => (b.successRate ?? -1) - (a.successRate ?? -1) || b.runs - a.runs);
  if (rows.length === 0) return <Empty title="No model stats yet">Stats appear once runs finish.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="model-leaderboard">
        <thead>
          <tr>
            <th>#</th>
            <th>Model</th>
            <th className="num">Runs</th>
            <th className="num">Success</th>
            <th className="num hide-sm">Avg time to goal</th>
            <th className="num hide-sm">Avg cost</th>
            <th className="num">Avg spend</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m, i) => (
            <tr key={m.model}>
              <td className="muted">{i + 1}</td>
              <td>
                <Link to={`/?model=${encodeURIComponent(m.model)}`}>{m.model}</Link>
              </td>
              <td className="num">{m.runs}</td>
              <td className="num">
                <span className="rate">
                  <span className="rate-bar" style={{ width: `${(m.successRate ?? 0) * 100}%` }} />
                  <span>{formatPercent(m.successRate, 0)}</span>
                </span>
              </td>
              <td className="num hide-sm">{m.avgSecondsToGoal === null ? "—" : formatDuration(m.avgSecondsToGoal * 1000)}</td>
              <td className="num hide-sm">{m.avgCostCents === null ? "—" : formatCents(m.avgCostCents)}</td>
              <td className="num">{m.avgCreditsSpent === null ? "—" : formatCents(m.avgCreditsSpent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BettorLeaderboard() {
  const board = trpc.betting.leaderboard.useQuery({});
  if (board.isPending) return <Loading label="Loading bettors…" />;
  if (board.isError) return <ErrorState error={board.error} retry={() => void board.refetch()} />;
  const rows = board.data.bettors;
  if (rows.length === 0) return <Empty title="No settled bets yet" />;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="bettor-leaderboard">
        <thead>
          <tr>
            <th>#</th>
            <th>Bettor</th>
            <th className="num">Bets</th>
            <th className="num">Profit / loss</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b, i) => (
            <tr key={b.userId}>
              <td className="muted">{i + 1}</td>
              <td>{b.name}</td>
              <td className="num">{b.bets}</td>
              <td className={`num ${b.profit > 0 ? "gain" : b.profit < 0 ? "loss" : ""}`}>
                {b.profit > 0 ? "+" : ""}
                {formatCents(b.profit)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ComparePage() {
  useDocumentTitle("Compare");
  useLiveArena();
  const [params] = useSearchParams();
  const goal = params.get("goal") ?? undefined;
  const id = params.get("id") ?? undefined;
  return (
    <div className="compare">
      <div className="page-head">
        <div>
          <h1>Compare</h1>
          <p className="muted">The same goal, different models — and who is winning overall.</p>
        </div>
      </div>
      {goal || id ? <SideBySide goal={goal} id={id} /> : <GoalPicker />}
      <div className="two-col">
        <section className="card">
          <div className="card-head">
            <h2>Model leaderboard</h2>
          </div>
          <ModelLeaderboard />
        </section>
        <section className="card">
          <div className="card-head">
            <h2>Top bettors</h2>
          </div>
          <BettorLeaderboard />
        </section>
      </div>
    </div>
  );
}
