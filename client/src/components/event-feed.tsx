// The live event feed: virtualized (only the visible rows exist in the DOM), so 10,000+ events
// scroll smoothly. Follows the newest event while scrolled to the bottom; older pages load when
// scrolled to the top.
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { FeedEvent, FeedSnapshot } from "../live/feed-store";
import { formatCents, formatClock, formatNumber } from "../lib/format";
import { Spinner } from "./states";

const ROW = 32;
const KINDS = ["log", "thought", "action", "tool_call", "progress", "screenshot", "email", "payment", "error", "status"] as const;

type Payload = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));

export function summarizeEvent(e: FeedEvent): string {
  const p = (e.payload ?? {}) as Payload;
  switch (e.kind) {
    case "log":
      return str(p.message);
    case "thought":
      return str(p.text);
    case "action":
      return p.detail ? `${str(p.name)} — ${str(p.detail)}` : str(p.name);
    case "tool_call": {
      const input = p.input === undefined ? "" : `(${str(p.input).slice(0, 120)})`;
      const output = p.output === undefined ? "" : ` → ${str(p.output).slice(0, 160)}`;
      return `${str(p.tool)}${input}${output}`;
    }
    case "progress":
      return `progress ${typeof p.value === "number" ? formatNumber(p.value) : str(p.value)}${p.note ? ` — ${str(p.note)}` : ""}`;
    case "screenshot":
      return `screenshot${p.caption ? `: ${str(p.caption)}` : ""}`;
    case "email":
      return `email to ${str(p.to)}: ${str(p.subject)}`;
    case "payment":
      return `payment of ${typeof p.amountCents === "number" ? formatCents(p.amountCents) : "?"} to ${str(p.recipient)}`;
    case "error":
      return str(p.message);
    case "status":
      return `${p.from ? `${str(p.from)} → ` : ""}${str(p.to)}${p.reason ? ` (${str(p.reason)})` : ""}`;
    default:
      return str(p);
  }
}

export function EventFeed({ feed, loadOlder, loadingOlder }: { feed: FeedSnapshot; loadOlder?: () => void; loadingOlder?: boolean }) {
  const [kind, setKind] = useState<string>("all");
  const [selected, setSelected] = useState<number | null>(null);
  const [following, setFollowing] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);

  const rows = useMemo(
    () => (kind === "all" ? feed.events : feed.events.filter((e) => e.kind === kind)),
    // `version` changes whenever the events do.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [feed.version, kind],
  );

  // The React Compiler is not used here, so its "cannot memoize this library" notice does not apply.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 16,
  });

  // Keep the view steady when older events are prepended; stick to the bottom when following.
  const firstSeq = rows[0]?.seq;
  const anchor = useRef<{ firstSeq: number | undefined; count: number }>({ firstSeq, count: rows.length });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const prev = anchor.current;
    anchor.current = { firstSeq, count: rows.length };
    if (!el) return;
    if (following) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    if (prev.firstSeq !== undefined && firstSeq !== undefined && firstSeq < prev.firstSeq) {
      const added = rows.findIndex((e) => e.seq === prev.firstSeq);
      if (added > 0) el.scrollTop += added * ROW;
    }
  }, [rows, firstSeq, following]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 1.5;
    setFollowing(atBottom);
    if (el.scrollTop < ROW * 3 && feed.hasOlder && !loadingOlder) loadOlder?.();
  }, [feed.hasOlder, loadingOlder, loadOlder]);

  const jumpToLatest = () => {
    setFollowing(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const selectedEvent = selected === null ? undefined : feed.events.find((e) => e.seq === selected);

  return (
    <div className="feed" data-testid="event-feed" data-count={feed.events.length} data-last-seq={feed.lastSeq}>
      <div className="feed-toolbar">
        <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Filter events by kind">
          <option value="all">All events</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k.replace("_", " ")}
            </option>
          ))}
        </select>
        <span className="muted feed-count">
          {formatNumber(rows.length)} {rows.length === 1 ? "event" : "events"}
          {feed.hasOlder ? " · older on scroll" : ""}
        </span>
        {loadingOlder && <Spinner label="Loading older events" />}
      </div>
      {/* Focusable so keyboard users can scroll the feed (WCAG 2.1.1); jsx-a11y does not know scroll regions. */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <div className="feed-scroll" ref={scrollRef} onScroll={onScroll} tabIndex={0} aria-label="Event feed">
        {rows.length === 0 ? (
          <div className="feed-empty muted">
            {kind === "all" ? "No events yet. They appear here as the agent works." : `No ${kind} events.`}
          </div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const e = rows[item.index]!;
              const text = summarizeEvent(e);
              return (
                <button
                  type="button"
                  key={e.seq}
                  className={`feed-row kind-${e.kind}${selected === e.seq ? " selected" : ""}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                  onClick={() => setSelected(selected === e.seq ? null : e.seq)}
                  title={text}
                  data-seq={e.seq}
                >
                  <span className="feed-time">{formatClock(e.at)}</span>
                  <span className={`feed-kind kind-${e.kind}`}>{e.kind.replace("_", " ")}</span>
                  <span className="feed-text">{text}</span>
                </button>
              );
            })}
          </div>
        )}
      </div>
      {!following && rows.length > 0 && (
        <button type="button" className="feed-jump" onClick={jumpToLatest}>
          ↓ Latest
        </button>
      )}
      {selectedEvent && (
        <div className="feed-detail">
          <div className="feed-detail-head">
            <strong>
              #{selectedEvent.seq} · {selectedEvent.kind}
            </strong>
            <span className="muted">{new Date(selectedEvent.at).toLocaleString()}</span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSelected(null)}>
              Close
            </button>
          </div>
          <pre>{JSON.stringify(selectedEvent.payload, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}
