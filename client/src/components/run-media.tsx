// What the agent produced: screenshots (artifacts and screenshot events), emails and payments.
import { useMemo, useState } from "react";
import type { FeedSnapshot } from "../live/feed-store";
import type { RunDetail } from "../live/use-live-run";
import { formatAgo, formatCents, formatDateTime } from "../lib/format";
import { useNow } from "../hooks/use-now";

interface Shot {
  id: string;
  caption: string;
  at: number;
}

export function Screenshots({ run, feed }: { run: RunDetail; feed: FeedSnapshot }) {
  const [open, setOpen] = useState<Shot | null>(null);
  const shots = useMemo(() => {
    const byId = new Map<string, Shot>();
    for (const a of run.artifacts) {
      if (a.kind === "screenshot") byId.set(a.id, { id: a.id, caption: a.filename, at: new Date(a.createdAt).getTime() });
    }
    for (const e of feed.events) {
      if (e.kind !== "screenshot") continue;
      const p = e.payload as { artifactId?: string; caption?: string };
      if (p.artifactId)
        byId.set(p.artifactId, { id: p.artifactId, caption: p.caption ?? byId.get(p.artifactId)?.caption ?? "screenshot", at: e.at });
    }
    return [...byId.values()].sort((a, b) => b.at - a.at);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.artifacts, feed.version]);
  const files = run.artifacts.filter((a) => a.kind !== "screenshot");

  return (
    <section className="card slot-shots" aria-labelledby="shots-title">
      <div className="card-head">
        <h2 id="shots-title">Screenshots</h2>
        <span className="muted">{shots.length}</span>
      </div>
      {shots.length === 0 ? (
        <p className="muted small">No screenshots yet.</p>
      ) : (
        <div className="shots" data-testid="screenshots">
          {shots.slice(0, 24).map((s) => (
            <button type="button" key={s.id} className="shot" onClick={() => setOpen(s)} title={s.caption}>
              <img src={`/api/artifacts/${encodeURIComponent(s.id)}`} alt={s.caption} loading="lazy" />
              <span>{s.caption}</span>
            </button>
          ))}
        </div>
      )}
      {files.length > 0 && (
        <ul className="files">
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/api/artifacts/${encodeURIComponent(f.id)}`}>{f.filename}</a>
              <span className="muted small">
                {" "}
                {(f.size / 1024).toFixed(1)} KB · {f.reviewState}
              </span>
            </li>
          ))}
        </ul>
      )}
      {open && (
        // A click on the backdrop (not the figure) closes; keyboard users have the Close button.
        <div className="lightbox" role="presentation" onClick={(e) => e.target === e.currentTarget && setOpen(null)}>
          <figure role="dialog" aria-modal="true" aria-label={open.caption}>
            <img src={`/api/artifacts/${encodeURIComponent(open.id)}`} alt={open.caption} />
            <figcaption>
              {open.caption} · {formatDateTime(open.at)}
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(null)}>
                Close
              </button>
            </figcaption>
          </figure>
        </div>
      )}
    </section>
  );
}

export function Outbound({ run }: { run: RunDetail }) {
  const now = useNow();
  const [tab, setTab] = useState<"emails" | "payments">("emails");
  return (
    <section className="card slot-outbound" aria-label="Outbound">
      <div className="card-head tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "emails"}
          className={tab === "emails" ? "active" : ""}
          onClick={() => setTab("emails")}
        >
          Emails <span className="count">{run.emails.length}</span>
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === "payments"}
          className={tab === "payments" ? "active" : ""}
          onClick={() => setTab("payments")}
        >
          Payments <span className="count">{run.payments.length}</span>
        </button>
      </div>
      {tab === "emails" ? (
        run.emails.length === 0 ? (
          <p className="muted small">The agent has not sent any email.</p>
        ) : (
          <ul className="outbound-list">
            {run.emails.map((m) => (
              <li key={m.id}>
                <details>
                  <summary>
                    <span className="to">{m.to}</span>
                    <span className="subject">{m.subject}</span>
                    <span className="muted small">{formatAgo(m.createdAt, now)}</span>
                  </summary>
                  <pre className="email-body">{m.body}</pre>
                </details>
              </li>
            ))}
          </ul>
        )
      ) : run.payments.length === 0 ? (
        <p className="muted small">The agent has not made any payment.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Amount</th>
              <th>To</th>
              <th className="hide-sm">Memo</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {run.payments.map((p) => (
              <tr key={p.id}>
                <td className="num">{formatCents(p.amountCents, p.currency)}</td>
                <td>{p.recipient}</td>
                <td className="hide-sm muted">{p.memo ?? ""}</td>
                <td className="muted">{formatAgo(p.createdAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
