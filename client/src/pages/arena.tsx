// The arena: public runs and the current workspace's (the header's switcher) as live cards. Filters
// live in the URL so a view can be shared.
import { Link, useSearchParams } from "react-router";
import { useMemo } from "react";
import { trpc, type RouterInputs } from "../trpc";
import { useLiveArena } from "../live/use-live-arena";
import { RunCard, RunCardSkeleton } from "../components/run-card";
import { Empty, ErrorState, Spinner } from "../components/states";
import { formatCents } from "../lib/format";
import { useDocumentTitle } from "../hooks/use-document-title";
import { useCurrentWorkspace } from "../hooks/use-workspace";
import { isLiveRun, LIVE_RUN_STATUSES, TERMINAL_RUN_STATUSES } from "@shared/run-status";

const STATUS_FILTERS = {
  live: LIVE_RUN_STATUSES,
  finished: TERMINAL_RUN_STATUSES,
  all: undefined,
} as const;
type StatusFilter = keyof typeof STATUS_FILTERS;

export function ArenaPage() {
  useDocumentTitle("Arena");
  useLiveArena();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "all") as StatusFilter;
  const model = params.get("model") ?? "";
  const mine = params.get("mine") === "1";
  const workspace = useCurrentWorkspace();

  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  const input: RouterInputs["run"]["list"] = {
    limit: 24,
    ...(STATUS_FILTERS[status] ? { status: [...STATUS_FILTERS[status]] } : {}),
    ...(model ? { model } : {}),
    ...(mine ? { creator: "me" } : {}),
    ...(workspace.current ? { workspaceId: workspace.current.id } : {}),
  };
  // Waits for the workspace list, so the arena is not first drawn for no workspace and then redrawn.
  const list = trpc.run.list.useInfiniteQuery(input, {
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: !workspace.isPending,
  });
  const agents = trpc.run.agents.useQuery(undefined, { staleTime: 5 * 60_000 });
  const models = useMemo(() => [...new Set((agents.data ?? []).map((p) => p.model))].sort(), [agents.data]);

  const runs = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const liveCount = runs.filter((r) => isLiveRun(r.status)).length;
  const pooled = runs.reduce((sum, r) => sum + (r.pool && r.pool.status === "open" ? r.pool.yesTotal + r.pool.noTotal : 0), 0);

  return (
    <div className="arena">
      <div className="page-head">
        <div>
          <h1>Arena</h1>
          <p className="muted">
            {list.isSuccess ? (
              <>
                <strong className="text">{liveCount}</strong> live {liveCount === 1 ? "run" : "runs"} shown ·{" "}
                <strong className="text">{formatCents(pooled)}</strong> in open pools
              </>
            ) : (
              "Public runs and your workspace's, updating live."
            )}
          </p>
        </div>
        <Link to="/launch" className="btn btn-primary">
          Launch a run
        </Link>
      </div>

      <div className="filters" role="group" aria-label="Filters">
        <div className="segmented" role="radiogroup" aria-label="Status">
          {(Object.keys(STATUS_FILTERS) as StatusFilter[]).map((key) => (
            <button
              key={key}
              type="button"
              role="radio"
              aria-checked={status === key}
              className={status === key ? "active" : ""}
              onClick={() => setFilter("status", key === "all" ? null : key)}
            >
              {key[0]!.toUpperCase() + key.slice(1)}
            </button>
          ))}
        </div>
        <select value={model} onChange={(e) => setFilter("model", e.target.value)} aria-label="Model">
          <option value="">All models</option>
          {models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <label className="toggle">
          <input type="checkbox" checked={mine} onChange={(e) => setFilter("mine", e.target.checked ? "1" : null)} />
          <span>My runs</span>
        </label>
        {list.isFetching && !list.isPending && <Spinner label="Refreshing" />}
      </div>

      {list.isPending ? (
        <div className="grid">
          {Array.from({ length: 6 }, (_, i) => (
            <RunCardSkeleton key={i} />
          ))}
        </div>
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} title="Could not load the arena" />
      ) : runs.length === 0 ? (
        <Empty
          title={status === "all" && !model && !mine ? "No runs yet" : "No runs match these filters"}
          action={
            <Link to="/launch" className="btn btn-primary">
              Launch the first one
            </Link>
          }
        >
          Launch an agent with a goal and watch it work here, live.
        </Empty>
      ) : (
        <>
          <div className="grid" data-testid="arena-grid">
            {runs.map((run) => (
              <RunCard key={run.id} run={run} />
            ))}
          </div>
          {list.hasNextPage && (
            <div className="center">
              <button type="button" className="btn btn-ghost" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? <Spinner label="Loading more" /> : "Load more runs"}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
