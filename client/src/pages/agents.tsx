// Agents: the workspace's agents and the site's builtins — status, last heartbeat, performance — and,
// for those the user may manage, their API keys (a new key is shown once; revoke any time).
import { useState, type FormEvent } from "react";
import { trpc } from "../trpc";
import { useCurrentWorkspace } from "../hooks/use-workspace";
import { useDocumentTitle } from "../hooks/use-document-title";
import { FormError } from "../components/field";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { errorMessage } from "../lib/errors";
import { formatAgo, formatDateTime, formatDuration } from "../lib/format";

function AgentKeys({ agentId }: { agentId: string }) {
  const utils = trpc.useUtils();
  const agent = trpc.agent.get.useQuery({ id: agentId });
  const createKey = trpc.agent.createKey.useMutation();
  const revokeKey = trpc.agent.revokeKey.useMutation();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ key: string; signingSecret: string }>();
  const [error, setError] = useState<string>();
  if (agent.isPending) return <Loading />;
  if (agent.isError) return <ErrorState error={agent.error} />;
  if (!agent.data.mayManage || agent.data.kind !== "external") return null;
  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const k = await createKey.mutateAsync({ agentId, name });
      setCreated({ key: k.key, signingSecret: k.signingSecret });
      setName("");
      await utils.agent.get.invalidate({ id: agentId });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const onRevoke = async (keyId: string) => {
    setError(undefined);
    try {
      await revokeKey.mutateAsync({ agentId, keyId });
      await utils.agent.get.invalidate({ id: agentId });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="project-section">
      <h4>API keys</h4>
      {created && (
        <div className="form-error" role="status">
          Copy these now, they are not shown again: key <code>{created.key}</code>, signing secret <code>{created.signingSecret}</code>
        </div>
      )}
      <ul className="token-list">
        {agent.data.keys.map((k) => (
          <li key={k.id} className={k.revokedAt ? "revoked" : undefined}>
            <div>
              <code>{k.prefix}…</code> {k.name}
              <p className="muted small">
                created {formatDateTime(k.createdAt)}
                {k.lastUsedAt ? ` · used ${formatAgo(k.lastUsedAt)}` : " · never used"}
                {k.revokedAt ? ` · revoked ${formatDateTime(k.revokedAt)}` : ""}
              </p>
            </div>
            {!k.revokedAt && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void onRevoke(k.id)} disabled={revokeKey.isPending}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={(e) => void onCreate(e)} noValidate>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Key name" aria-label="Key name" maxLength={80} />
        <button type="submit" className="btn" disabled={createKey.isPending}>
          {createKey.isPending ? <Spinner /> : "Create key"}
        </button>
      </form>
      <FormError message={error} />
    </div>
  );
}

export function AgentsPage() {
  useDocumentTitle("Agents");
  const { current } = useCurrentWorkspace();
  const agents = trpc.agent.list.useQuery({ workspaceId: current?.id ?? "", includeArchived: false }, { enabled: Boolean(current) });
  const [open, setOpen] = useState<string>();
  return (
    <div className="project-section">
      <header className="page-head">
        <h1>Agents</h1>
        <p className="muted">Builtin agents run in Paddock sandboxes; external agents work through the agent API with a key.</p>
      </header>
      {!current || agents.isPending ? (
        <Loading />
      ) : agents.isError ? (
        <ErrorState error={agents.error} retry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <Empty title="No agents" />
      ) : (
        <div className="grid" data-testid="agent-list">
          {agents.data.map((a) => (
            <article key={a.id} className="card" aria-label={a.name} data-testid="agent" data-status={a.status}>
              <div className="card-head">
                <strong>{a.name}</strong>
                <span className={`badge badge-${a.status === "available" ? "done" : a.status === "busy" ? "running" : "canceled"}`}>
                  {a.status}
                </span>
              </div>
              <p className="muted small">
                {a.kind} · {a.specialization} · {a.model}
                {a.workspaceId === null ? " · site-wide" : ""}
              </p>
              <p className="small">
                Heartbeat {a.heartbeatAt ? formatAgo(a.heartbeatAt) : "never"} · {a.runningTasks}/{a.maxConcurrentTasks} tasks now
              </p>
              <p className="small">
                {a.performance.tasksCompleted} done · {a.performance.tasksFailed} failed ({Math.round(a.performance.failureRate * 100)}%
                failure) · average {formatDuration(a.performance.averageDurationMs)}, {a.performance.averageCostCents}¢
              </p>
              <p className="small" data-testid="agent-tokens">
                {a.performance.tokensUsed.toLocaleString()} LLM tokens used
                {a.taskTokenBudget != null ? ` · budget ${a.taskTokenBudget.toLocaleString()} per task` : ""}
              </p>
              {a.kind === "external" && (
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-expanded={open === a.id}
                  onClick={() => setOpen(open === a.id ? undefined : a.id)}
                >
                  {open === a.id ? "Hide keys" : "Keys"}
                </button>
              )}
              {open === a.id && <AgentKeys agentId={a.id} />}
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
