// Run detail: everything about one run, live.
import { useCallback, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { trpc } from "../trpc";
import { useLiveRun } from "../live/use-live-run";
import { useFeed } from "../live/feed-store";
import { useMe } from "../hooks/use-me";
import { useNow } from "../hooks/use-now";
import { useDocumentTitle } from "../hooks/use-document-title";
import { errorCode } from "../lib/errors";
import { formatCents, formatDateTime, formatDuration, toDate } from "../lib/format";
import { ProgressBar, StatusBadge, TimeLeft, VerifiedBadge } from "../components/run-bits";
import { isLiveRun } from "@shared/run-status";
import { maySteer } from "@shared/run-rules";
import { runActor, runStanding } from "../lib/run-standing";
import { ProgressChart, type ProgressPoint } from "../components/progress-chart";
import { EventFeed } from "../components/event-feed";
import { BetPanel } from "../components/bet-panel";
import { CancelRun, CreditsPanel, PromptPanel } from "../components/run-actions";
import { Outbound, Screenshots } from "../components/run-media";
import { Empty, ErrorState, Loading } from "../components/states";

const OLDER_PAGE = 500;

export function RunPage() {
  const { id = "" } = useParams();
  const { user } = useMe();
  const now = useNow();
  const utils = trpc.useUtils();
  const get = trpc.run.get.useQuery(
    { id },
    {
      enabled: id.length > 0,
      // Prompt delivery has no live message; while one is in flight on a live run, look again now and then.
      refetchInterval: (q) =>
        q.state.data && isLiveRun(q.state.data.status) && q.state.data.prompts.some((p) => p.status !== "acknowledged") ? 5000 : false,
    },
  );
  const run = get.data;
  const live = useLiveRun(id, run);
  const feed = useFeed(live.store);
  const [loadingOlder, setLoadingOlder] = useState(false);
  useDocumentTitle(run?.goal);

  const loadOlder = useCallback(async () => {
    const oldest = live.store.get().events[0]?.seq;
    if (oldest === undefined || oldest <= 1 || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await utils.run.events.fetch({ id, cursor: oldest, limit: OLDER_PAGE });
      const min = page.items.reduce((m, e) => Math.min(m, e.seq), oldest);
      live.store.merge(page.items, { hasOlder: min > 1 && page.items.length > 0 });
    } finally {
      setLoadingOlder(false);
    }
  }, [id, live.store, loadingOlder, utils]);

  const points = useMemo<ProgressPoint[]>(() => {
    const out: ProgressPoint[] = [];
    for (const e of feed.events) {
      if (e.kind !== "progress") continue;
      const v = (e.payload as { value?: unknown }).value;
      if (typeof v === "number") out.push({ t: e.at, v });
    }
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [feed.version]);

  if (get.isPending) return <Loading label="Loading the run…" />;
  if (get.isError) {
    if (errorCode(get.error) === "NOT_FOUND") {
      return (
        <Empty
          title="No such run"
          action={
            <Link className="btn" to="/">
              Back to the arena
            </Link>
          }
        >
          It may have been removed, or the link is wrong.
        </Empty>
      );
    }
    return <ErrorState error={get.error} retry={() => void get.refetch()} title="Could not load the run" />;
  }
  if (!run) return null;

  const started = toDate(run.startedAt) ?? toDate(run.createdAt)!;
  const finished = toDate(run.finishedAt);
  const chartEnd = finished ? finished.getTime() : Math.max(now, started.getTime() + 1000);
  // Progress reports arrive as events; before the first one, chart the current value.
  const chartPoints = points.length > 0 ? points : run.currentProgress > 0 ? [{ t: chartEnd, v: run.currentProgress }] : [];
  // Shown to those who steer the run; CancelRun explains a refusal (shared/run-rules.ts) there.
  const actor = runActor(user);
  const canCancel = isLiveRun(run.status) && actor !== null && maySteer(actor, runStanding(run, now));

  return (
    <div className="run-page" data-testid="run-page" data-run-id={run.id}>
      <nav className="crumbs">
        <Link to="/">← Arena</Link>
        <Link to={`/compare?id=${encodeURIComponent(run.id)}`}>Compare runs with this goal →</Link>
      </nav>
      <header className="run-head">
        <div className="run-head-main">
          <div className="run-head-meta">
            <StatusBadge status={run.status} />
            <VerifiedBadge run={run} detail />
            <span className="chip">{run.agent.model}</span>
            <span className="muted">
              {run.agent.name} · by {run.createdBy.name}
            </span>
          </div>
          <h1 className="run-title">{run.goal}</h1>
          {(run.statusReason || run.error || run.summary) && (
            <p className={run.error ? "run-reason error" : "run-reason"}>{run.error ?? run.summary ?? run.statusReason}</p>
          )}
          {live.subscribeError && <p className="notice">Live updates unavailable: {live.subscribeError}</p>}
        </div>
        {canCancel && <CancelRun run={run} />}
      </header>

      <div className="run-grid">
        <div className="run-main">
          <section className="card slot-progress" aria-labelledby="progress-title">
            <div className="card-head">
              <h2 id="progress-title">Progress</h2>
              <TimeLeft expiresAt={run.expiresAt} status={run.status} finishedAt={run.finishedAt} />
            </div>
            <ProgressBar current={run.currentProgress} target={run.targetValue} metric={run.metric} />
            <ProgressChart points={chartPoints} target={run.targetValue} start={started.getTime()} end={chartEnd} metric={run.metric} />
            <dl className="facts">
              <div>
                <dt>Started</dt>
                <dd>{run.startedAt ? formatDateTime(run.startedAt) : "not yet"}</dd>
              </div>
              <div>
                <dt>{finished ? "Ran for" : "Running for"}</dt>
                <dd>{run.startedAt ? formatDuration((finished?.getTime() ?? now) - started.getTime()) : "—"}</dd>
              </div>
              <div>
                <dt>Duration limit</dt>
                <dd>{run.durationMinutes} min</dd>
              </div>
              <div>
                <dt>Cost</dt>
                <dd>{formatCents(run.costCents)}</dd>
              </div>
            </dl>
          </section>

          {run.verifier && (
            <section className="card slot-verifier" aria-labelledby="verifier-title" data-testid="verifier-card">
              <div className="card-head">
                <h2 id="verifier-title">Verification</h2>
                <VerifiedBadge run={run} detail />
              </div>
              <p className="muted small">
                Success is measured by this command, run in the sandbox when the agent reports completion or time runs out; the last number
                it prints must reach {run.targetValue}. <code>{run.verifier}</code>
              </p>
              {run.verifierOutput !== null ? (
                <pre className="verifier-output" data-testid="verifier-output">
                  {run.verifierOutput}
                </pre>
              ) : (
                <p className="muted small">{run.verifyRequestedAt ? "Verifying now…" : "Not run yet."}</p>
              )}
            </section>
          )}

          <section className="card feed-card slot-feed" aria-labelledby="feed-title">
            <div className="card-head">
              <h2 id="feed-title">Live feed</h2>
            </div>
            <EventFeed feed={feed} loadOlder={() => void loadOlder()} loadingOlder={loadingOlder} />
          </section>

          <Screenshots run={run} feed={feed} />
          <Outbound run={run} />
        </div>

        <aside className="run-side">
          <BetPanel run={run} recentBets={live.recentBets} />
          <CreditsPanel run={run} />
          <PromptPanel run={run} />
        </aside>
      </div>
    </div>
  );
}
