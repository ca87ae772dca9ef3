// The review queue: the current workspace's deliverables awaiting a decision, the most urgent SLA
// first, each with its newest version's text and images inline. Operators approve or deliver in one
// click (or many at once), request a revision with notes, or reject with a reason — or from the
// keyboard: j/k move, a approve, d deliver, r revision notes, x select, ? help. Live by
// deliverable:update and sla:alert.
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { Link, useNavigate } from "react-router";
import { mayDecide } from "@shared/deliverables";
import { trpc, type RouterOutputs } from "../trpc";
import { useMe } from "../hooks/use-me";
import { useCurrentWorkspace } from "../hooks/use-workspace";
import { useDocumentTitle } from "../hooks/use-document-title";
import { useLiveDeliverables } from "../live/use-live-deliverables";
import { Empty, ErrorState, Loading } from "../components/states";
import { SlaPanel } from "../components/sla-panel";
import {
  DecisionButtons,
  DeliverableStatusBadge,
  mayTake,
  NoteForm,
  SlaChip,
  useDecisions,
  VersionPreview,
  type Decision,
} from "../components/deliverable-bits";
import { formatAgo } from "../lib/format";

type QueueItem = RouterOutputs["deliverable"]["queue"][number];
type Form = "revision" | "reject";

/** Shortcuts stay out of the way while the operator types notes (or anything else). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

const SHORTCUTS: [string, string][] = [
  ["j / k", "next / previous deliverable"],
  ["a", "approve"],
  ["d", "deliver (approving first if needed)"],
  ["r", "write revision notes"],
  ["x", "select for a batch decision"],
  ["Enter", "open the deliverable's page"],
  ["Ctrl+Enter", "send the notes"],
  ["Esc", "close the notes or this help"],
  ["?", "this help"],
];

function ShortcutHelp({
  open,
  onClose,
  dialogRef: ref,
}: {
  open: boolean;
  onClose: () => void;
  dialogRef: RefObject<HTMLDialogElement | null>;
}) {
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open, ref]);
  return (
    <dialog ref={ref} className="card shortcut-help" aria-labelledby="shortcut-help-title" onClose={onClose}>
      <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

function QueueEntry({
  item,
  current,
  operator,
  selected,
  form,
  busy,
  error,
  onFocus,
  onSelect,
  onDecide,
  onForm,
}: {
  item: QueueItem;
  current: boolean;
  operator: boolean;
  selected: boolean;
  form: Form | null;
  busy: boolean;
  error: string | undefined;
  onFocus: () => void;
  onSelect: (selected: boolean) => void;
  onDecide: (decision: Decision, text?: string) => void;
  onForm: (form: Form | null) => void;
}) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (current) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [current]);
  const v = item.version;
  return (
    <article
      ref={ref}
      className={`card review-item${current ? " review-item-current" : ""}`}
      aria-current={current ? "true" : undefined}
      aria-labelledby={`review-title-${item.id}`}
      data-testid="review-item"
      data-deliverable={item.id}
      data-version={item.latestVersion}
      data-status={item.status}
      onFocusCapture={onFocus}
    >
      <div className="review-item-head">
        {operator && (
          <input type="checkbox" checked={selected} aria-label={`Select ${item.title}`} onChange={(e) => onSelect(e.target.checked)} />
        )}
        <div className="review-item-title">
          <h3 id={`review-title-${item.id}`}>
            <Link to={`/deliverables/${item.id}`}>{item.title}</Link>
          </h3>
          <p className="muted small">
            {item.project.name} · version {item.latestVersion}
            {item.revisionCount > 0 ? ` · ${item.revisionCount} revision${item.revisionCount > 1 ? "s" : ""} asked` : ""}
            {item.agent ? ` · by ${item.agent.name}` : ""} · {formatAgo(v?.createdAt ?? item.updatedAt)}
          </p>
        </div>
        <div className="review-item-state">
          <DeliverableStatusBadge status={item.status} />
          {item.urgentSla && <SlaChip sla={item.urgentSla} />}
        </div>
      </div>
      {v ? <VersionPreview body={v.body} files={v.files} clamp={!current} /> : <p className="muted small">The version is on its way.</p>}
      {operator && (
        <DecisionButtons
          status={item.status}
          busy={busy}
          open={form}
          shortcuts={current}
          onDecide={(d) => onDecide(d)}
          onOpen={(f) => onForm(form === f ? null : f)}
        />
      )}
      {form && (
        <NoteForm
          key={form}
          kind={form}
          busy={busy}
          error={error}
          onSubmit={(text) => onDecide(form, text)}
          onCancel={() => onForm(null)}
        />
      )}
      {error && !form && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

function Queue({ workspaceId, operator }: { workspaceId: string; operator: boolean }) {
  // Read afresh on every visit: decisions taken elsewhere (another tab, the deliverable page) show at once.
  const queue = trpc.deliverable.queue.useQuery({ workspaceId }, { refetchOnMount: "always" });
  const { busy, decide, decideMany } = useDecisions();
  const items = useMemo(() => queue.data ?? [], [queue.data]);
  // The current deliverable, and where it stood: when it leaves the queue (delivered), the one that
  // took its place becomes current.
  const [cursor, setCursor] = useState<{ id: string | null; index: number }>({ id: null, index: 0 });
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [forms, setForms] = useState<Record<string, Form | null>>({});
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [batchError, setBatchError] = useState<string>();
  const [help, setHelp] = useState(false);
  // Whether the help is open, as the page shows it: Esc closes the dialog at once, its close event
  // (which updates `help`) comes a moment later, and a key pressed in between must not be lost.
  const helpDialog = useRef<HTMLDialogElement>(null);
  const navigate = useNavigate();

  const index = items.findIndex((i) => i.id === cursor.id);
  const currentIndex = index >= 0 ? index : Math.min(cursor.index, items.length - 1);
  const current = currentIndex >= 0 ? items[currentIndex] : undefined;
  const focus = useCallback((i: number) => setCursor({ id: items[i]?.id ?? null, index: i }), [items]);

  const selectedIds = items.filter((i) => selected.has(i.id)).map((i) => i.id);

  const run = useCallback(
    async (item: QueueItem, decision: Decision, text?: string) => {
      setErrors((e) => ({ ...e, [item.id]: undefined }));
      const error = await decide(decision, { id: item.id, version: item.latestVersion }, text);
      setErrors((e) => ({ ...e, [item.id]: error ?? undefined }));
      if (!error && (decision === "revision" || decision === "reject")) setForms((f) => ({ ...f, [item.id]: null }));
    },
    [decide],
  );

  const runBatch = async (decision: "approve" | "deliver") => {
    setBatchError(undefined);
    const { error, failures } = await decideMany(decision, selectedIds);
    if (error) return setBatchError(error);
    // The refused stay selected, each saying why; the rest are done.
    setSelected(new Set(failures.map((f) => f.id)));
    setErrors((e) => ({ ...e, ...Object.fromEntries(failures.map((f) => [f.id, f.message])) }));
    if (failures.length > 0)
      setBatchError(
        `${failures.length} of ${selectedIds.length} could not be ${decision === "approve" ? "approved" : "delivered"}: see each one below.`,
      );
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      if (e.key === "?") {
        e.preventDefault();
        setHelp((h) => !h);
        return;
      }
      if (helpDialog.current?.open || items.length === 0) return;
      const move = (by: number) => {
        focus(Math.max(0, Math.min(items.length - 1, currentIndex + by)));
      };
      if (e.key === "j") move(1);
      else if (e.key === "k") move(-1);
      else if (!current) return;
      else if (e.key === "Enter" && e.target === document.body) void navigate(`/deliverables/${current.id}`);
      else if (!operator) return;
      else if (e.key === "a" && mayTake(current.status, "approve")) void run(current, "approve");
      else if (e.key === "d" && mayTake(current.status, "deliver")) void run(current, "deliver");
      else if (e.key === "r" && mayTake(current.status, "revision")) setForms((f) => ({ ...f, [current.id]: "revision" }));
      else if (e.key === "x")
        setSelected((s) => {
          const next = new Set(s);
          if (next.has(current.id)) next.delete(current.id);
          else next.add(current.id);
          return next;
        });
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [items, current, currentIndex, operator, run, navigate, focus]);

  if (queue.isPending) return <Loading />;
  if (queue.isError) return <ErrorState error={queue.error} retry={() => void queue.refetch()} />;
  return (
    <section className="project-section review-queue" aria-label="Awaiting a decision">
      <div className="review-toolbar">
        <p className="muted small" data-testid="queue-count">
          {items.length} awaiting a decision · press <kbd>?</kbd> for shortcuts
        </p>
        {operator && items.length > 0 && (
          <div className="review-batch" role="group" aria-label="Batch decision">
            <label className="small">
              <input
                type="checkbox"
                checked={selectedIds.length === items.length}
                onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.id)) : new Set())}
              />{" "}
              All
            </label>
            <span className="small" aria-live="polite">
              {selectedIds.length} selected
            </span>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              disabled={busy || selectedIds.length === 0 || !items.some((i) => selected.has(i.id) && mayTake(i.status, "approve"))}
              onClick={() => void runBatch("approve")}
            >
              Approve selected
            </button>
            <button
              type="button"
              className="btn btn-sm btn-primary"
              disabled={busy || selectedIds.length === 0}
              onClick={() => void runBatch("deliver")}
            >
              Deliver selected
            </button>
          </div>
        )}
      </div>
      {batchError && (
        <p className="field-error" role="alert">
          {batchError}
        </p>
      )}
      {items.length === 0 ? (
        <Empty title="Nothing awaits a decision">Results of tasks that require review arrive here, the most urgent first.</Empty>
      ) : (
        <ol className="review-list" data-testid="review-queue">
          {items.map((item, i) => (
            <li key={item.id}>
              <QueueEntry
                item={item}
                current={item.id === current?.id}
                operator={operator}
                selected={selected.has(item.id)}
                form={forms[item.id] ?? null}
                busy={busy}
                error={errors[item.id]}
                onFocus={() => focus(i)}
                onSelect={(on) =>
                  setSelected((s) => {
                    const next = new Set(s);
                    if (on) next.add(item.id);
                    else next.delete(item.id);
                    return next;
                  })
                }
                onDecide={(decision, text) => void run(item, decision, text)}
                onForm={(form) => setForms((f) => ({ ...f, [item.id]: form }))}
              />
            </li>
          ))}
        </ol>
      )}
      <ShortcutHelp open={help} onClose={() => setHelp(false)} dialogRef={helpDialog} />
    </section>
  );
}

export function ReviewPage() {
  useDocumentTitle("Review queue");
  const { user } = useMe();
  const { current } = useCurrentWorkspace();
  useLiveDeliverables(current?.id);
  const operator = Boolean(current && user && mayDecide(current.role, user.role));
  return (
    <div className="project-section">
      <header className="page-head">
        <h1>Review queue</h1>
        <p className="muted">
          Results awaiting a decision before anyone outside sees them.
          {current && !operator && " You can read them; the workspace's owners and admins decide."}
        </p>
      </header>
      {!current ? (
        <Loading />
      ) : (
        <div className="review-layout">
          <Queue workspaceId={current.id} operator={operator} />
          <aside>
            <SlaPanel workspaceId={current.id} />
          </aside>
        </div>
      )}
    </div>
  );
}
