// Pieces the review queue and the deliverable page share: the status badge, an SLA clock, a
// version's preview (its text, its images inline, its other files as links), the note forms for a
// revision or a rejection, and the decisions themselves.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { canDecide, type DeliverableDecision, type DeliverableStatus } from "@shared/deliverables";
import type { SlaKind, SlaState } from "@shared/sla";
import { trpc } from "../trpc";
import { errorMessage } from "../lib/errors";
import { formatDateTime, formatDuration } from "../lib/format";
import { useNow } from "../hooks/use-now";
import { Spinner } from "./states";
import "./review.css";

const STATUS_BADGE: Record<DeliverableStatus, string> = {
  draft: "backlog",
  review: "review",
  approved: "running",
  delivered: "done",
  rejected: "failed",
};

export function DeliverableStatusBadge({ status }: { status: DeliverableStatus }) {
  return (
    <span className={`badge badge-${STATUS_BADGE[status]}`} data-testid="deliverable-status" data-status={status}>
      {status}
    </span>
  );
}

export const SLA_KIND_LABEL: Record<SlaKind, string> = {
  first_response: "First response",
  delivery: "Delivery",
  revision: "Revision",
};

const SLA_STATE_LABEL: Record<SlaState, string> = {
  on_track: "on track",
  at_risk: "at risk",
  breached: "breached",
  met: "met",
};

/** A clock: its kind, its state, and how long until (or since) it is due. */
export function SlaChip({ sla }: { sla: { kind: SlaKind; state: SlaState; dueAt: Date | string } }) {
  const now = useNow();
  const due = new Date(sla.dueAt).getTime();
  const when = sla.state === "met" ? "" : due >= now ? ` · due in ${formatDuration(due - now)}` : ` · ${formatDuration(now - due)} late`;
  return (
    <span
      className={`sla-chip sla-${sla.state}`}
      data-testid="sla-chip"
      data-state={sla.state}
      title={`${SLA_KIND_LABEL[sla.kind]} due ${formatDateTime(sla.dueAt)}`}
    >
      {SLA_KIND_LABEL[sla.kind]}: {SLA_STATE_LABEL[sla.state]}
      {when}
    </span>
  );
}

/** A version's file, as the deliverable flow stores it: a run's artifact, or an external agent's file. */
export interface VersionFile {
  key: string;
  name: string;
  contentType: string;
  url: string | null;
}

/** Reads versions' `files` (JSON) defensively: whatever lacks a name or a link is shown by name only. */
export function versionFiles(files: unknown): VersionFile[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((f: unknown, i) => {
    if (!f || typeof f !== "object") return [];
    const o = f as Record<string, unknown>;
    const str = (k: string) => {
      const v = o[k];
      return typeof v === "string" ? v : undefined;
    };
    const id = str("id");
    const url = str("url") ?? (id ? `/api/artifacts/${id}` : null);
    // Only links within Paddock or to the web: never javascript: or data: URLs from an agent.
    const safeUrl = url && ((url.startsWith("/") && !url.startsWith("//")) || /^https?:\/\//i.test(url)) ? url : null;
    return [
      {
        key: id ?? `${i}`,
        name: str("filename") ?? str("name") ?? `file ${i + 1}`,
        contentType: str("contentType") ?? "",
        url: safeUrl,
      },
    ];
  });
}

const isImage = (f: VersionFile) => f.url !== null && /^image\/(png|jpeg|webp|gif)$/.test(f.contentType);

/** The version's text and files: images inline, the rest as links. */
export function VersionPreview({ body, files, clamp = false }: { body: string; files: unknown; clamp?: boolean }) {
  const list = versionFiles(files);
  const images = list.filter(isImage);
  const others = list.filter((f) => !isImage(f));
  return (
    <div className="version-preview">
      {body.trim() ? (
        <div className={`version-text${clamp ? " version-text-clamp" : ""}`} data-testid="version-text">
          {body}
        </div>
      ) : (
        <p className="muted small">No text.</p>
      )}
      {images.length > 0 && (
        <ul className="version-images" aria-label="Images">
          {images.map((f) => (
            <li key={f.key}>
              <a href={f.url!} target="_blank" rel="noreferrer">
                <img src={f.url!} alt={f.name} loading="lazy" />
              </a>
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul className="version-files small" aria-label="Files">
          {others.map((f) => (
            <li key={f.key}>
              {f.url ? (
                <a href={f.url} target="_blank" rel="noreferrer">
                  {f.name}
                </a>
              ) : (
                f.name
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The notes of a revision request or the reason of a rejection, typed inline under the version. */
export function NoteForm({
  kind,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  kind: "revision" | "reject";
  busy: boolean;
  error: string | undefined;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const label = kind === "revision" ? "Revision notes" : "Reason for rejecting";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(text);
  };
  return (
    <form className="note-form" onSubmit={submit} aria-label={label} data-testid={`${kind}-form`}>
      <label className="small note-label">
        {label}
        <textarea
          ref={ref}
          rows={3}
          value={text}
          maxLength={kind === "revision" ? 5000 : 2000}
          placeholder={
            kind === "revision"
              ? "What should the agent change? It gets these notes and an excerpt of this version."
              : "What is wrong? The task goes to another agent, and this failure counts against this one."
          }
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") onCancel();
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) onSubmit(text);
          }}
        />
      </label>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className={`btn btn-sm ${kind === "revision" ? "btn-primary" : "btn-danger"}`} disabled={busy}>
          {busy ? <Spinner /> : kind === "revision" ? "Request revision" : "Reject"}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export type Decision = "approve" | "deliver" | "revision" | "reject";

const DECISION_OF: Record<Decision, DeliverableDecision> = {
  approve: "approve",
  deliver: "deliver",
  revision: "requestRevision",
  reject: "reject",
};

export const mayTake = (status: DeliverableStatus, decision: Decision) => canDecide(status, DECISION_OF[decision]);

/** Approve, deliver, request a revision, reject: the ones the version's status allows. */
export function DecisionButtons({
  status,
  busy,
  open,
  onDecide,
  onOpen,
  shortcuts = false,
}: {
  status: DeliverableStatus;
  busy: boolean;
  open: "revision" | "reject" | null;
  onDecide: (decision: "approve" | "deliver") => void;
  onOpen: (form: "revision" | "reject") => void;
  shortcuts?: boolean;
}) {
  const key = (k: string) => (shortcuts ? <kbd aria-hidden>{k}</kbd> : null);
  return (
    <div className="decision-buttons" role="group" aria-label="Decision">
      {mayTake(status, "approve") && (
        <button type="button" className="btn btn-sm btn-ghost" disabled={busy} onClick={() => onDecide("approve")}>
          Approve {key("a")}
        </button>
      )}
      {mayTake(status, "deliver") && (
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => onDecide("deliver")}>
          {status === "review" ? "Approve & deliver" : "Deliver"} {key("d")}
        </button>
      )}
      {mayTake(status, "revision") && (
        <button
          type="button"
          className="btn btn-sm btn-ghost"
          disabled={busy}
          aria-expanded={open === "revision"}
          onClick={() => onOpen("revision")}
        >
          Request revision {key("r")}
        </button>
      )}
      {mayTake(status, "reject") && (
        <button
          type="button"
          className="btn btn-sm btn-danger-text"
          disabled={busy}
          aria-expanded={open === "reject"}
          onClick={() => onOpen("reject")}
        >
          Reject
        </button>
      )}
    </div>
  );
}

/**
 * The decisions on one deliverable, each naming the version the operator looked at (the server
 * refuses it if a newer one arrived meanwhile). Each call resolves to an error message or null.
 */
export function useDecisions() {
  const utils = trpc.useUtils();
  const approve = trpc.deliverable.approve.useMutation();
  const deliver = trpc.deliverable.deliver.useMutation();
  const reject = trpc.deliverable.reject.useMutation();
  const revise = trpc.deliverable.requestRevision.useMutation();
  const approveMany = trpc.deliverable.approveMany.useMutation();
  const deliverMany = trpc.deliverable.deliverMany.useMutation();
  const settle = async <T,>(call: Promise<T>): Promise<string | null> => {
    try {
      await call;
      return null;
    } catch (e) {
      return errorMessage(e);
    } finally {
      await Promise.all([utils.deliverable.invalidate(), utils.sla.invalidate()]);
    }
  };
  return {
    busy: approve.isPending || deliver.isPending || reject.isPending || revise.isPending || approveMany.isPending || deliverMany.isPending,
    decide: (decision: Decision, target: { id: string; version: number }, text = "") => {
      const base = { id: target.id, version: target.version };
      switch (decision) {
        case "approve":
          return settle(approve.mutateAsync(base));
        case "deliver":
          return settle(deliver.mutateAsync(base));
        case "revision":
          return settle(revise.mutateAsync({ ...base, notes: text }));
        case "reject":
          return settle(reject.mutateAsync({ ...base, reason: text }));
      }
    },
    /** Each deliverable on its own: the ones refused come back with the reason. */
    decideMany: async (decision: "approve" | "deliver", ids: string[]) => {
      let failures: { id: string; message: string }[] = [];
      const error = await settle(
        (decision === "approve" ? approveMany.mutateAsync({ ids }) : deliverMany.mutateAsync({ ids })).then((r) => {
          failures = r.results.flatMap((x) => (x.ok ? [] : [{ id: x.id, message: x.message }]));
        }),
      );
      return { error, failures };
    },
  };
}
