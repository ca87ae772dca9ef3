// One task: its state and result, and every attempt with the agent, the linked run and the context
// snapshot the agent was given.
import { Link, useParams } from "react-router";
import { trpc } from "../trpc";
import { useDocumentTitle } from "../hooks/use-document-title";
import { ErrorState, Loading } from "../components/states";
import { formatDateTime, formatDuration } from "../lib/format";
import { useLiveWorkspace } from "../live/use-live-workspace";

const json = (v: unknown) => JSON.stringify(v, null, 2);

export function TaskPage() {
  const { id = "" } = useParams();
  const task = trpc.task.get.useQuery({ id });
  useDocumentTitle(task.data?.title ?? "Task");
  useLiveWorkspace(task.data?.workspaceId);
  if (task.isPending) return <Loading />;
  if (task.isError) return <ErrorState error={task.error} title="Task not found" />;
  const t = task.data;
  return (
    <div className="project-section">
      <header className="page-head">
        <p className="small">
          <Link to={`/projects/${t.projectId}`}>← Project</Link>
        </p>
        <h1>{t.title}</h1>
        <p>
          <span className={`badge badge-${t.status}`} data-testid="task-status" data-status={t.status}>
            {t.status}
          </span>{" "}
          <span className="muted small">
            priority {t.priority} · {t.attemptCount} attempt(s) of {t.maxRetries + 1}
            {t.tokensUsed > 0 ? ` · ${t.tokensUsed.toLocaleString()} LLM tokens` : ""}
            {t.stepKey ? ` · pipeline step ${t.stepKey}` : ""}
          </span>
        </p>
      </header>
      <div className="two-col">
        <section className="card" aria-label="Task">
          <h2>Task</h2>
          {t.description ? <p>{t.description}</p> : <p className="muted">No description.</p>}
          {t.error && (
            <p className="field-error" role="status">
              {t.error}
            </p>
          )}
          {t.resultSummary && (
            <>
              <h3>Result</h3>
              <p>{t.resultSummary}</p>
              {t.resultOutput != null && <pre className="pre-json">{json(t.resultOutput)}</pre>}
            </>
          )}
        </section>
        <section className="card" aria-label="Attempts">
          <h2>Attempts</h2>
          {t.attempts.length === 0 ? (
            <p className="muted">No attempt yet.</p>
          ) : (
            <ol className="token-list">
              {t.attempts.map((a) => (
                <li key={a.id} data-testid="attempt">
                  <div>
                    <strong>
                      #{a.number} · {a.agent.name}
                    </strong>{" "}
                    <span className={`badge badge-${a.status}`}>{a.status}</span>
                    <p className="muted small">
                      {formatDateTime(a.createdAt)}
                      {a.durationMs != null ? ` · ${formatDuration(a.durationMs)}` : ""}
                      <span data-testid="attempt-tokens">
                        {a.tokenBudget != null
                          ? ` · ${a.tokensUsed.toLocaleString()} of ${a.tokenBudget.toLocaleString()} LLM tokens`
                          : a.tokensUsed > 0
                            ? ` · ${a.tokensUsed.toLocaleString()} LLM tokens`
                            : ""}
                      </span>
                      {a.run && (
                        <>
                          {" · "}
                          <Link to={`/runs/${a.run.id}`}>run ({a.run.status})</Link>
                        </>
                      )}
                    </p>
                    {a.error && <p className="small">{a.error}</p>}
                    <details>
                      <summary className="small">Context snapshot</summary>
                      <pre className="pre-json">{json(a.contextSnapshot)}</pre>
                    </details>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
