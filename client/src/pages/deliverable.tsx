// One deliverable: its versions (newest first) with each one's status, decision and notes, the diff
// between any two versions' texts (newest against the one before, unless chosen), where it came
// from (task, agent, run), its SLA clocks, its project's activity, and the decisions for operators.
// Live by deliverable:update and sla:alert.
import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { mayDecide } from "@shared/deliverables";
import type { SlaKind } from "@shared/sla";
import { diffRows, diffStats, foldRows, type DiffPart, type DiffRow } from "@shared/text-diff";
import { trpc, type RouterOutputs } from "../trpc";
import { useMe } from "../hooks/use-me";
import { useCurrentWorkspace } from "../hooks/use-workspace";
import { useDocumentTitle } from "../hooks/use-document-title";
import { useLiveDeliverables } from "../live/use-live-deliverables";
import { Empty, ErrorState, Loading } from "../components/states";
import {
  DecisionButtons,
  DeliverableStatusBadge,
  NoteForm,
  SLA_KIND_LABEL,
  SlaChip,
  useDecisions,
  VersionPreview,
  type Decision,
} from "../components/deliverable-bits";
import { formatAgo, formatDateTime } from "../lib/format";

type Deliverable = RouterOutputs["deliverable"]["get"];
type Version = Deliverable["versions"][number];

function Words({ parts, side }: { parts: DiffPart[]; side: "removed" | "added" }) {
  return (
    <>
      {parts
        .filter((p) => p.kind === "equal" || p.kind === side)
        .map((p, i) =>
          p.kind === "equal" ? <span key={i}>{p.text}</span> : side === "added" ? <ins key={i}>{p.text}</ins> : <del key={i}>{p.text}</del>,
        )}
    </>
  );
}

const SIGN: Record<DiffRow["kind"], string> = { equal: " ", added: "+", removed: "−" };

function VersionDiff({ versions }: { versions: Version[] }) {
  // versions are newest first: compare the newest with the one before it unless chosen otherwise.
  const [toNumber, setTo] = useState(versions[0]!.number);
  const [fromNumber, setFrom] = useState(versions[1]?.number ?? versions[0]!.number);
  const from = versions.find((v) => v.number === fromNumber) ?? versions[versions.length - 1]!;
  const to = versions.find((v) => v.number === toNumber) ?? versions[0]!;
  const rows = useMemo(() => diffRows(from.body, to.body), [from.body, to.body]);
  const folded = useMemo(() => foldRows(rows, 3), [rows]);
  const stats = diffStats(rows);
  const choose = (label: string, value: number, set: (n: number) => void) => (
    <label className="small">
      {label}{" "}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.number} value={v.number}>
            version {v.number}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section className="card" aria-label="Changes between versions" data-testid="version-diff">
      <div className="card-head">
        <h2>Changes</h2>
        <div className="diff-pickers">
          {choose("From", from.number, setFrom)}
          {choose("to", to.number, setTo)}
        </div>
      </div>
      <p className="muted small" data-testid="diff-stats">
        {from.number === to.number
          ? "The same version on both sides."
          : stats.added + stats.removed === 0
            ? "The texts are the same."
            : `${stats.added} line${stats.added === 1 ? "" : "s"} added, ${stats.removed} removed`}
      </p>
      {from.number !== to.number && stats.added + stats.removed > 0 && (
        <div className="table-wrap">
          <table className="diff">
            <caption className="sr-only">
              Version {from.number} against version {to.number}, line by line
            </caption>
            <thead className="sr-only">
              <tr>
                <th scope="col">Line in version {from.number}</th>
                <th scope="col">Line in version {to.number}</th>
                <th scope="col">Change</th>
                <th scope="col">Text</th>
              </tr>
            </thead>
            <tbody>
              {folded.map((r, i) =>
                r.kind === "gap" ? (
                  <tr key={i} className="diff-gap">
                    <td colSpan={4} className="muted small">
                      {r.count} unchanged lines
                    </td>
                  </tr>
                ) : (
                  <tr key={i} className={`diff-${r.kind}`} data-testid="diff-row" data-kind={r.kind}>
                    <td className="diff-no">{r.oldNumber ?? ""}</td>
                    <td className="diff-no">{r.newNumber ?? ""}</td>
                    <td className="diff-sign" aria-label={r.kind === "equal" ? "unchanged" : r.kind}>
                      {SIGN[r.kind]}
                    </td>
                    <td className="diff-text">{r.words && r.kind !== "equal" ? <Words parts={r.words} side={r.kind} /> : r.text}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function VersionEntry({ v, latest }: { v: Version; latest: boolean }) {
  return (
    <li className="version" data-testid="version" data-number={v.number} data-status={v.status}>
      <details open={latest}>
        <summary>
          <strong>Version {v.number}</strong> <DeliverableStatusBadge status={v.status} />{" "}
          <span className="muted small">
            {formatDateTime(v.createdAt)}
            {v.agent ? ` · by ${v.agent.name}` : ""}
          </span>
        </summary>
        <p className="muted small">
          {v.decidedAt ? `${v.status} by ${v.decidedBy?.name ?? "someone"} ${formatAgo(v.decidedAt)}` : "No decision yet"}
          {" · "}
          <Link to={`/tasks/${v.task.id}`}>{v.task.type === "revision" ? "revision task" : "task"}</Link>
          {v.runId && (
            <>
              {" · "}
              <Link to={`/runs/${v.runId}`}>run</Link>
            </>
          )}
        </p>
        {v.notes && (
          <blockquote className="version-notes" data-testid="version-notes">
            <span className="small muted">{v.status === "rejected" ? "Notes" : "Note"}:</span> {v.notes}
          </blockquote>
        )}
        <VersionPreview body={v.body} files={v.files} />
      </details>
    </li>
  );
}

function Decide({ d }: { d: Deliverable }) {
  const { busy, decide } = useDecisions();
  const [form, setForm] = useState<"revision" | "reject" | null>(null);
  const [error, setError] = useState<string>();
  const run = async (decision: Decision, text?: string) => {
    setError(undefined);
    const e = await decide(decision, { id: d.id, version: d.latestVersion }, text);
    setError(e ?? undefined);
    if (!e) setForm(null);
  };
  return (
    <div className="decide" data-testid="decide">
      <DecisionButtons
        status={d.status}
        busy={busy}
        open={form}
        onDecide={(x) => void run(x)}
        onOpen={(f) => setForm(form === f ? null : f)}
      />
      {form && (
        <NoteForm key={form} kind={form} busy={busy} error={error} onSubmit={(t) => void run(form, t)} onCancel={() => setForm(null)} />
      )}
      {error && !form && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const ACTIVITY_LABEL: Record<string, string> = {
  "deliverable.created": "arrived for review",
  "deliverable.version_added": "new version arrived",
  "deliverable.approved": "approved",
  "deliverable.delivered": "delivered",
  "deliverable.rejected": "rejected",
  "deliverable.revision_requested": "revision requested",
  "deliverable.held": "result held",
  "deliverable.rated": "rated by the client",
  "sla.at_risk": "SLA at risk",
  "sla.breached": "SLA breached",
  "sla.met": "SLA met",
  "message.posted": "message",
};

function ProjectActivity({ projectId, deliverableId }: { projectId: string; deliverableId: string }) {
  const activity = trpc.deliverable.activity.useQuery({ projectId });
  return (
    <section className="card" aria-label="Project activity">
      <h2>Project activity</h2>
      {activity.isPending ? (
        <Loading />
      ) : activity.isError ? (
        <ErrorState error={activity.error} retry={() => void activity.refetch()} />
      ) : activity.data.items.length === 0 ? (
        <p className="muted small">Nothing yet.</p>
      ) : (
        <ol className="activity" data-testid="activity">
          {activity.data.items.map((a) => {
            const data = (a.data ?? {}) as { title?: unknown; version?: unknown; notes?: unknown; reason?: unknown; kind?: unknown };
            const slaKind = a.kind.startsWith("sla.") && typeof data.kind === "string" ? SLA_KIND_LABEL[data.kind as SlaKind] : undefined;
            const mine = a.subjectId === deliverableId;
            return (
              <li key={a.id} className={mine ? "activity-mine" : undefined} data-kind={a.kind}>
                <span className="muted small">{formatAgo(a.createdAt)}</span> <strong>{ACTIVITY_LABEL[a.kind] ?? a.kind}</strong>
                {slaKind && <span className="muted small"> · {slaKind.toLowerCase()}</span>}
                {typeof data.title === "string" && (
                  <>
                    {" · "}
                    {a.subjectId && a.kind.startsWith("deliverable.") && !mine ? (
                      <Link to={`/deliverables/${a.subjectId}`}>{data.title}</Link>
                    ) : (
                      data.title
                    )}
                  </>
                )}
                {typeof data.version === "number" && <span className="muted small"> · v{data.version}</span>}
                {a.actor && <span className="muted small"> · {a.actor.name}</span>}
                {typeof data.notes === "string" && <p className="small">{data.notes}</p>}
                {typeof data.reason === "string" && <p className="small">{data.reason}</p>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

export function DeliverablePage() {
  const { id = "" } = useParams();
  const deliverable = trpc.deliverable.get.useQuery({ id });
  const { user } = useMe();
  const { workspaces } = useCurrentWorkspace();
  useDocumentTitle(deliverable.data?.title ?? "Deliverable");
  useLiveDeliverables(deliverable.data?.workspaceId);
  if (deliverable.isPending) return <Loading />;
  if (deliverable.isError) return <ErrorState error={deliverable.error} title="Deliverable not found" />;
  const d = deliverable.data;
  const role = workspaces.find((w) => w.id === d.workspaceId)?.role;
  const operator = Boolean(role && user && mayDecide(role, user.role));
  return (
    <div className="project-section" data-testid="deliverable-page" data-status={d.status} data-version={d.latestVersion}>
      <header className="page-head deliverable-head">
        <div>
          <p className="small">
            <Link to={`/projects/${d.projectId}`}>← {d.project.name}</Link>
            {" · "}
            <Link to="/review">Review queue</Link>
          </p>
          <h1>{d.title}</h1>
          <p>
            <DeliverableStatusBadge status={d.status} />{" "}
            <span className="muted small">
              version {d.latestVersion}
              {d.revisionCount > 0 ? ` · ${d.revisionCount} revision${d.revisionCount > 1 ? "s" : ""} asked` : ""}
              {" · "}
              <Link to={`/tasks/${d.task.id}`}>task</Link> (priority {d.task.priority})
              {d.agent && (
                <>
                  {" · agent "}
                  <Link to="/agents">{d.agent.name}</Link>
                </>
              )}
              {d.deliveredAt && ` · delivered ${formatDateTime(d.deliveredAt)} by ${d.deliveredBy?.name ?? "someone"}`}
              {!d.deliveredAt && d.approvedAt && ` · approved ${formatDateTime(d.approvedAt)} by ${d.approvedBy?.name ?? "someone"}`}
            </span>
          </p>
          {d.inProgress && (
            <p className="notice small" data-testid="in-progress">
              {d.inProgress.type === "revision" ? "A revision" : "A redo"} is under way:{" "}
              <Link to={`/tasks/${d.inProgress.taskId}`}>its task</Link> is {d.inProgress.status}.
            </p>
          )}
          {d.slas.length > 0 && (
            <ul className="sla-chips" aria-label="SLA clocks">
              {d.slas.map((s) => (
                <li key={s.id}>
                  <SlaChip sla={s} />
                </li>
              ))}
            </ul>
          )}
          {operator && <Decide d={d} />}
        </div>
      </header>
      {d.versions.length === 0 ? (
        <Empty title="No version yet" />
      ) : (
        <>
          {d.versions.length > 1 && <VersionDiff key={d.latestVersion} versions={d.versions} />}
          <div className="two-col">
            <section className="card" aria-label="Versions">
              <h2>Versions</h2>
              <ol className="versions">
                {d.versions.map((v, i) => (
                  <VersionEntry key={v.id} v={v} latest={i === 0} />
                ))}
              </ol>
            </section>
            <ProjectActivity projectId={d.projectId} deliverableId={d.id} />
          </div>
        </>
      )}
    </div>
  );
}
