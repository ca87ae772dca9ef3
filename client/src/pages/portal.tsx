// The client portal: the projects shared with me (across workspaces), each one's delivered work
// with an inline preview (text, and images through the portal's file route), my rating of each
// delivery, and the project's message thread, live (new deliveries too). Clients see nothing else of a workspace: no
// drafts, no runs, no agents, no costs (the server's portal.* answers hold none).
import { useEffect, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { RATING_MAX, RATING_MIN, isPreviewable, type PortalFile } from "@shared/portal";
import { trpc } from "../trpc";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { errorMessage, fieldErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { getSocket } from "../live/socket";

const STARS = Array.from({ length: RATING_MAX - RATING_MIN + 1 }, (_, i) => RATING_MIN + i);

function ProjectList({ selectedId }: { selectedId: string | undefined }) {
  const projects = trpc.portal.projects.useQuery();
  if (projects.isPending) return <Loading />;
  if (projects.isError) return <ErrorState error={projects.error} retry={() => void projects.refetch()} />;
  if (projects.data.length === 0)
    return <Empty title="Nothing shared with you yet">When a team shares a project with you, it shows here.</Empty>;
  return (
    <ul className="token-list" data-testid="portal-projects">
      {projects.data.map((p) => (
        <li key={p.id}>
          <div>
            <strong aria-current={p.id === selectedId ? "page" : undefined}>
              {p.id === selectedId ? p.name : <Link to={`/portal/${p.id}`}>{p.name}</Link>}
            </strong>
            <div className="muted small">
              {p.workspaceName} · {p.deliveredCount} {p.deliveredCount === 1 ? "delivery" : "deliveries"}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A text file of a delivery, read through the portal's file route (it is served as a download, never rendered as a page). */
function TextFile({ file }: { file: PortalFile }) {
  const [text, setText] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!file.previewUrl) return;
    let live = true;
    fetch(file.previewUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((t) => live && setText(t.slice(0, 20_000)))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [file.previewUrl]);
  if (failed) return <p className="muted small">The file could not be read.</p>;
  if (text === null) return <Spinner label={`Loading ${file.filename}`} />;
  return <pre className="portal-text">{text}</pre>;
}

function FilePreview({ file }: { file: PortalFile }) {
  if (!file.previewUrl) return <li>{file.filename}</li>;
  return (
    <li>
      <a href={file.previewUrl}>{file.filename}</a>
      {isPreviewable(file.contentType) &&
        (file.contentType.startsWith("image/") ? (
          <img className="portal-image" src={file.previewUrl} alt={file.filename} loading="lazy" />
        ) : (
          <TextFile file={file} />
        ))}
    </li>
  );
}

function RatingForm({ deliverableId }: { deliverableId: string }) {
  const utils = trpc.useUtils();
  const rate = trpc.portal.rate.useMutation({ onSuccess: () => void utils.portal.invalidate() });
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const errors = fieldErrors(rate.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rating !== null) rate.mutate({ id: deliverableId, rating, ...(comment.trim() ? { comment } : {}) });
  };
  return (
    <form className="portal-rating" onSubmit={onSubmit} noValidate data-testid="rating-form">
      <fieldset>
        <legend>Rate this delivery</legend>
        <div className="inline-form">
          {STARS.map((n) => (
            <label key={n} className="portal-star">
              <input type="radio" name={`rating-${deliverableId}`} value={n} checked={rating === n} onChange={() => setRating(n)} />
              {n}
            </label>
          ))}
        </div>
        <label className="field">
          <span>Comment (optional)</span>
          <textarea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} rows={2} />
        </label>
      </fieldset>
      <button type="submit" className="btn" disabled={rating === null || rate.isPending}>
        {rate.isPending ? <Spinner /> : "Send rating"}
      </button>
      {rate.error && (
        <p className="field-error" role="alert">
          {errors.rating ?? errors.comment ?? errorMessage(rate.error)}
        </p>
      )}
    </form>
  );
}

function Delivery({ id }: { id: string }) {
  const d = trpc.portal.deliverable.useQuery({ id });
  if (d.isPending) return <Loading />;
  if (d.isError) return <ErrorState error={d.error} />;
  const [newest, ...older] = d.data.versions;
  return (
    <div className="portal-delivery" data-testid="delivery">
      {newest && (
        <>
          <p className="muted small">
            Version {newest.number}, delivered {formatDateTime(newest.deliveredAt)}
          </p>
          <div className="portal-body">{newest.body}</div>
          {newest.files.length > 0 && (
            <ul className="portal-files" aria-label="Files">
              {newest.files.map((f, i) => (
                <FilePreview key={f.artifactId ?? i} file={f} />
              ))}
            </ul>
          )}
        </>
      )}
      {older.length > 0 && (
        <details>
          <summary>Earlier deliveries ({older.length})</summary>
          {older.map((v) => (
            <div key={v.id}>
              <h4>
                Version {v.number}: {v.title}
              </h4>
              <div className="portal-body">{v.body}</div>
            </div>
          ))}
        </details>
      )}
      {d.data.rating === null ? (
        <RatingForm deliverableId={id} />
      ) : (
        <p data-testid="my-rating">
          You rated this {d.data.rating}/{RATING_MAX}
          {d.data.ratingComment ? `: “${d.data.ratingComment}”` : ""}
        </p>
      )}
    </div>
  );
}

function Deliveries({ projectId }: { projectId: string }) {
  const list = trpc.portal.deliverables.useQuery({ projectId });
  const [open, setOpen] = useState<string | null>(null);
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />;
  if (list.data.length === 0) return <Empty title="No deliveries yet">Delivered work shows here as soon as the team sends it.</Empty>;
  return (
    <ul className="portal-deliverables" data-testid="deliverables">
      {list.data.map((d) => (
        <li key={d.id} className="card">
          <div className="card-head">
            <h3>{d.title}</h3>
            <span className="muted small">
              {formatDateTime(d.deliveredAt)}
              {d.rating !== null ? ` · rated ${d.rating}/${RATING_MAX}` : ""}
            </span>
          </div>
          {open === d.id ? (
            <Delivery id={d.id} />
          ) : (
            <>
              <p>{d.excerpt}</p>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(d.id)} aria-label={`Open ${d.title}`}>
                Open
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The project's thread, refreshed live by message:new (to my own user room, or my workspace's room). */
function Thread({ projectId }: { projectId: string }) {
  const utils = trpc.useUtils();
  const thread = trpc.message.list.useQuery({ projectId });
  const post = trpc.message.post.useMutation({ onSuccess: () => void utils.message.list.invalidate({ projectId }) });
  const [body, setBody] = useState("");
  useEffect(() => {
    const socket = getSocket();
    const onMessage: Parameters<typeof socket.on<"message:new">>[1] = (msg) => {
      if (msg.projectId === projectId) void utils.message.list.invalidate({ projectId });
    };
    const onConnect = () => void utils.message.list.invalidate({ projectId });
    socket.on("message:new", onMessage);
    socket.on("connect", onConnect);
    return () => {
      socket.off("message:new", onMessage);
      socket.off("connect", onConnect);
    };
  }, [projectId, utils]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    post.mutate({ projectId, body }, { onSuccess: () => setBody("") });
  };
  return (
    <section className="card" aria-label="Messages">
      <h2>Messages</h2>
      {thread.isPending ? (
        <Loading />
      ) : thread.isError ? (
        <ErrorState error={thread.error} retry={() => void thread.refetch()} />
      ) : thread.data.messages.length === 0 ? (
        <p className="muted">No messages yet.</p>
      ) : (
        <ol className="portal-thread" data-testid="thread" aria-live="polite">
          {thread.data.messages.map((m) => (
            <li key={m.id}>
              <strong>{m.author.name}</strong>
              {m.author.isClient ? "" : " (team)"} <span className="muted small">{formatDateTime(m.createdAt)}</span>
              <div className="portal-body">{m.body}</div>
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={onSubmit} noValidate>
        <label className="field">
          <span>Your message</span>
          <textarea value={body} onChange={(e) => setBody(e.target.value)} maxLength={4000} rows={3} />
        </label>
        <button type="submit" className="btn" disabled={post.isPending || body.trim() === ""}>
          {post.isPending ? <Spinner /> : "Send"}
        </button>
        {post.error && (
          <p className="field-error" role="alert">
            {fieldErrors(post.error).body ?? errorMessage(post.error)}
          </p>
        )}
      </form>
    </section>
  );
}

function SharedProject({ id }: { id: string }) {
  const project = trpc.portal.project.useQuery({ id });
  useDocumentTitle(project.data?.name ?? "Portal");
  if (project.isPending) return <Loading />;
  if (project.isError) return <ErrorState error={project.error} title="Project not found" />;
  const p = project.data;
  return (
    <div className="project-section" data-testid="portal-project">
      <header className="page-head">
        <div>
          <h1>{p.name}</h1>
          <p className="muted small">
            {p.workspaceName} · {p.status}
            {p.deadline ? ` · due ${formatDateTime(p.deadline)}` : ""}
          </p>
        </div>
      </header>
      {p.brief && <p className="portal-body">{p.brief}</p>}
      <section aria-label="Deliveries">
        <h2>Deliveries</h2>
        <Deliveries projectId={id} />
      </section>
      <Thread projectId={id} />
    </div>
  );
}

/** A delivery to any of my shared projects (portal:delivery, in my own user room) refreshes the portal: its counts and lists. */
function useLiveDeliveries() {
  const utils = trpc.useUtils();
  useEffect(() => {
    const socket = getSocket();
    const refresh = () => void utils.portal.invalidate();
    socket.on("portal:delivery", refresh);
    socket.on("connect", refresh);
    return () => {
      socket.off("portal:delivery", refresh);
      socket.off("connect", refresh);
    };
  }, [utils]);
}

export function PortalPage() {
  const { projectId } = useParams();
  useDocumentTitle("Portal");
  useLiveDeliveries();
  return (
    <div className="project-section">
      {!projectId && (
        <header className="page-head">
          <h1>Shared with you</h1>
          <p className="muted">The projects teams share with you: their deliveries, and a thread with the team.</p>
        </header>
      )}
      <nav aria-label="Shared projects">
        <ProjectList selectedId={projectId} />
      </nav>
      {projectId && <SharedProject id={projectId} />}
    </div>
  );
}
