// Admins: the LLM credentials pool. Agents' model calls use the first usable credential by priority;
// a rate limit or exhausted quota cools it down and the call moves on. Keys go in and never come
// back out (only their last characters are shown). States follow shared/llm-credentials.ts, so a
// cooldown ends on screen when it ends on the server.
import { useState, type FormEvent } from "react";
import { LLM_CREDENTIAL_STATE_LABEL, llmCredentialState, type LlmCredentialState } from "@shared/llm-credentials";
import { trpc } from "../trpc";
import { useMe } from "../hooks/use-me";
import { useNow } from "../hooks/use-now";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { Field, FormError } from "../components/field";
import { fieldErrors, formError } from "../lib/errors";
import { formatAgo, formatCents, formatDateTime, formatDuration, formatNumber, toDate } from "../lib/format";

const STATE_BADGE: Record<LlmCredentialState, string> = {
  active: "badge-running",
  cooling: "badge-failed",
  scheduled: "badge-queued",
  expired: "badge-expired",
  disabled: "badge-canceled",
};

const EMPTY_FORM = { name: "", baseUrl: "", apiKey: "", priority: "", validFrom: "", validUntil: "" };

/** A `datetime-local` value (the admin's own time zone) as an instant; empty is none. */
const instant = (local: string): Date | undefined => (local ? new Date(local) : undefined);

function AddCredential() {
  const utils = trpc.useUtils();
  const create = trpc.llmCredential.create.useMutation({ onSuccess: () => void utils.llmCredential.list.invalidate() });
  const [form, setForm] = useState(EMPTY_FORM);
  const set = (key: keyof typeof EMPTY_FORM) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const errors = fieldErrors(create.error);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const priority = form.priority.trim() === "" ? undefined : Number(form.priority);
    const done = await create
      .mutateAsync({
        name: form.name,
        baseUrl: form.baseUrl.trim(),
        apiKey: form.apiKey || null,
        ...(priority === undefined ? {} : { priority }),
        ...(form.validFrom ? { validFrom: instant(form.validFrom) } : {}),
        ...(form.validUntil ? { validUntil: instant(form.validUntil) } : {}),
      })
      .catch(() => null);
    if (done) setForm(EMPTY_FORM);
  };

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="llm-credential-form">
      <FormError message={formError(create.error)} />
      <div className="row-2">
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} name="name" value={form.name} onChange={set("name")} placeholder="OpenAI — team plan" maxLength={80} />}
        </Field>
        <Field label="Base URL" error={errors.baseUrl} hint="OpenAI-compatible; /chat/completions is added.">
          {(p) => <input {...p} name="baseUrl" value={form.baseUrl} onChange={set("baseUrl")} placeholder="https://api.openai.com/v1" />}
        </Field>
      </div>
      <div className="row-2">
        <Field
          label="API key"
          error={errors.apiKey}
          hint="Stored encrypted; it will not be shown again. Empty for an endpoint without keys."
        >
          {(p) => <input {...p} name="apiKey" type="password" autoComplete="off" value={form.apiKey} onChange={set("apiKey")} />}
        </Field>
        <Field label="Priority" error={errors.priority} hint="Lower is tried first. Empty: after the others.">
          {(p) => <input {...p} name="priority" inputMode="numeric" value={form.priority} onChange={set("priority")} />}
        </Field>
      </div>
      <div className="row-2">
        <Field label="Valid from" error={errors.validFrom} hint="Optional, your local time.">
          {(p) => <input {...p} name="validFrom" type="datetime-local" value={form.validFrom} onChange={set("validFrom")} />}
        </Field>
        <Field label="Valid until" error={errors.validUntil} hint="Optional, e.g. when a grant of credits runs out.">
          {(p) => <input {...p} name="validUntil" type="datetime-local" value={form.validUntil} onChange={set("validUntil")} />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? <Spinner label="Adding" /> : "Add credential"}
        </button>
      </div>
    </form>
  );
}

function windowText(from: Date | null, until: Date | null): string {
  if (!from && !until) return "always";
  if (from && until) return `${formatDateTime(from)} – ${formatDateTime(until)}`;
  return from ? `from ${formatDateTime(from)}` : `until ${formatDateTime(until)}`;
}

function CredentialTable() {
  const now = useNow();
  const utils = trpc.useUtils();
  const list = trpc.llmCredential.list.useQuery(undefined, { refetchInterval: 15_000 });
  const invalidate = { onSuccess: () => void utils.llmCredential.list.invalidate() };
  const update = trpc.llmCredential.update.useMutation(invalidate);
  const remove = trpc.llmCredential.delete.useMutation(invalidate);
  if (list.isPending) return <Loading label="Loading credentials…" />;
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />;
  const { credentials, fallback } = list.data;
  const busy = update.isPending || remove.isPending;

  return (
    <>
      {credentials.length === 0 ? (
        <Empty title="No credentials yet">
          {fallback
            ? "Calls use the server's LLM_BASE_URL."
            : "Agents cannot call a model until you add one (or the operator sets LLM_BASE_URL)."}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="llm-credentials">
            <thead>
              <tr>
                <th className="num">Priority</th>
                <th>Credential</th>
                <th>State</th>
                <th className="hide-sm">Window</th>
                <th className="num hide-sm">Usage</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {credentials.map((c) => {
                const state = llmCredentialState(
                  {
                    enabled: c.enabled,
                    validFrom: toDate(c.validFrom),
                    validUntil: toDate(c.validUntil),
                    cooldownUntil: toDate(c.cooldownUntil),
                  },
                  new Date(now),
                );
                const cooldownLeft = c.cooldownUntil ? toDate(c.cooldownUntil)!.getTime() - now : 0;
                return (
                  <tr key={c.id} data-testid="llm-credential" data-name={c.name} data-state={state}>
                    <td className="num">{c.priority}</td>
                    <td>
                      <strong>{c.name}</strong>
                      <div className="muted small ellipsis">
                        {c.baseUrl} · {c.hasApiKey ? <code>{c.apiKeyHint}</code> : "no key"}
                      </div>
                    </td>
                    <td>
                      <span className={`badge ${STATE_BADGE[state]}`}>{LLM_CREDENTIAL_STATE_LABEL[state]}</span>
                      {state === "cooling" && <div className="muted small">back in {formatDuration(cooldownLeft)}</div>}
                      {c.lastError && (
                        <div className="muted small" title={c.lastError}>
                          {formatAgo(c.lastErrorAt, now)}: {c.lastError.slice(0, 80)}
                        </div>
                      )}
                    </td>
                    <td className="hide-sm muted small">{windowText(toDate(c.validFrom), toDate(c.validUntil))}</td>
                    <td className="num hide-sm small">
                      {formatNumber(c.tokenCount)} tokens
                      <div className="muted">
                        {formatNumber(c.requestCount)} calls · {formatNumber(c.rateLimitCount)} limited
                      </div>
                    </td>
                    <td className="nowrap">
                      {state === "cooling" && (
                        <button
                          type="button"
                          className="btn btn-sm"
                          disabled={busy}
                          onClick={() => update.mutate({ id: c.id, resetCooldown: true })}
                        >
                          End cooldown
                        </button>
                      )}{" "}
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        disabled={busy}
                        onClick={() => update.mutate({ id: c.id, enabled: !c.enabled })}
                      >
                        {c.enabled ? "Disable" : "Enable"}
                      </button>{" "}
                      <button
                        type="button"
                        className="btn btn-ghost btn-danger-text btn-sm"
                        disabled={busy}
                        onClick={() => {
                          if (window.confirm(`Delete the credential "${c.name}"? Its usage history stays.`)) remove.mutate({ id: c.id });
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small" data-testid="llm-fallback">
        {fallback
          ? `Last resort: the server's LLM_BASE_URL (${fallback.baseUrl}${fallback.hasApiKey ? ", with LLM_API_KEY" : ""}), tried after every credential.`
          : "No server LLM_BASE_URL: when every credential is cooling down, agents are told when to retry."}
      </p>
      <FormError message={update.error ? formError(update.error) : remove.error ? formError(remove.error) : undefined} />
    </>
  );
}

function UsageByAgent() {
  const usage = trpc.llmCredential.usage.useQuery({ days: 30 });
  if (usage.isPending) return <Loading label="Loading usage…" />;
  if (usage.isError) return <ErrorState error={usage.error} retry={() => void usage.refetch()} />;
  if (usage.data.length === 0) return <p className="muted small">No model calls in the last 30 days.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="llm-usage">
        <thead>
          <tr>
            <th>Agent</th>
            <th className="num">Calls</th>
            <th className="num">Tokens</th>
            <th className="num">Credits charged</th>
          </tr>
        </thead>
        <tbody>
          {usage.data.map((u) => (
            <tr key={u.agentId}>
              <td>
                {u.name} <span className="muted small">{u.model}</span>
              </td>
              <td className="num">{formatNumber(u.calls)}</td>
              <td className="num">{formatNumber(u.totalTokens)}</td>
              <td className="num">{formatCents(u.costCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LlmCredentialsPage() {
  useDocumentTitle("LLM credentials");
  const { user } = useMe();
  if (!user) return <Loading />;
  if (user.role !== "admin") {
    return <Empty title="Admins only">LLM credentials pay for every run's model calls; only admins manage them.</Empty>;
  }
  return (
    <div className="account">
      <div className="page-head">
        <div>
          <h1>LLM credentials</h1>
          <p className="muted">
            Agents' model calls go through Paddock, which uses the first usable credential by priority. A rate limit or an exhausted quota
            rests a credential for its Retry-After (or LLM_COOLDOWN_SECONDS) while the call moves on to the next.
          </p>
        </div>
      </div>
      <section className="card">
        <div className="card-head">
          <h2>Pool</h2>
        </div>
        <CredentialTable />
      </section>
      <section className="card">
        <div className="card-head">
          <h2>Usage by agent, last 30 days</h2>
        </div>
        <UsageByAgent />
      </section>
      <section className="card">
        <div className="card-head">
          <h2>Add a credential</h2>
        </div>
        <AddCredential />
      </section>
    </div>
  );
}
