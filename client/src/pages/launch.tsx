// Launch a run: the same schema as the server validates the form first, and the server's own
// field errors (zod or domain) land under the field they name.
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { createRunInput, type RunVisibilityName } from "@shared/run";
import { can } from "@shared/workspace-rules";
import { trpc } from "../trpc";
import { Field, FormError } from "../components/field";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { centsFromInput, formatCents } from "../lib/format";
import { appErrorCode, fieldErrors, formError } from "../lib/errors";
import { billingPath } from "@shared/billing";
import { useMe } from "../hooks/use-me";
import { useDocumentTitle } from "../hooks/use-document-title";
import { useCurrentWorkspace } from "../hooks/use-workspace";

interface FormState {
  agentId: string;
  goal: string;
  metric: string;
  targetValue: string;
  durationMinutes: string;
  idleTimeoutMinutes: string;
  credits: string;
  provider: string;
  agentConfig: string;
  workspaceId: string;
  visibility: RunVisibilityName;
}

const initial: FormState = {
  agentId: "",
  goal: "",
  metric: "",
  targetValue: "100",
  durationMinutes: "30",
  idleTimeoutMinutes: "",
  credits: "10.00",
  provider: "",
  agentConfig: "",
  workspaceId: "",
  // Public, as the server's default: the run is in the arena for everyone to watch and bet on.
  visibility: "public",
};

const PRESETS = [
  { label: "Signups sprint", goal: "Get 100 people to sign up for the beta waitlist", metric: "signups", targetValue: "100" },
  { label: "Revenue", goal: "Close $5,000 in pre-orders for the new plan", metric: "dollars", targetValue: "5000" },
  { label: "Bug bash", goal: "Fix 20 open bugs labelled good-first-issue", metric: "bugs fixed", targetValue: "20" },
];

function toNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
}

export function LaunchPage() {
  useDocumentTitle("Launch");
  const navigate = useNavigate();
  const { user } = useMe();
  const agents = trpc.run.agents.useQuery(undefined, { staleTime: 5 * 60_000 });
  const providers = trpc.run.providers.useQuery(undefined, { staleTime: 5 * 60_000 });
  const create = trpc.run.create.useMutation();
  const utils = trpc.useUtils();
  const [form, setForm] = useState<FormState>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [topError, setTopError] = useState<string>();
  // The server says which agents this user may launch (restricted ones are for operators
  // until an admin opens them); the form offers only those.
  const { workspaces, current } = useCurrentWorkspace();
  // Viewers read only: the form offers the workspaces the user may launch in.
  const launchable = useMemo(() => workspaces.filter((w) => can(w.role, "launchRuns")), [workspaces]);
  // Until the user picks one: the header's current workspace, or their personal one if they only view it.
  const workspaceId =
    form.workspaceId || (launchable.find((w) => w.id === current?.id) ?? launchable.find((w) => w.personal) ?? launchable[0])?.id || "";
  const selectedWorkspace = launchable.find((w) => w.id === workspaceId);
  const usableAgents = useMemo(() => agents.data?.filter((p) => p.usable) ?? [], [agents.data]);

  // Until the user picks one, the first agent they may launch is the choice.
  const agentId = form.agentId || (usableAgents[0]?.id ?? "");
  const selectedAgent = useMemo(() => usableAgents.find((p) => p.id === agentId), [usableAgents, agentId]);

  const set = (key: keyof FormState) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    if (errors[key]) setErrors(({ [key]: _drop, ...rest }) => rest);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setTopError(undefined);
    const local: Record<string, string> = {};
    const credits = centsFromInput(form.credits);
    if ("error" in credits) local.credits = credits.error;
    let agentConfig: Record<string, unknown> | undefined;
    if (form.agentConfig.trim()) {
      try {
        const parsed: unknown = JSON.parse(form.agentConfig);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
        agentConfig = parsed as Record<string, unknown>;
      } catch {
        local.agentConfig = 'must be a JSON object, e.g. {"stepMs": 1000}';
      }
    }
    const candidate = {
      goal: form.goal,
      metric: form.metric,
      targetValue: toNumber(form.targetValue),
      agentId,
      durationMinutes: toNumber(form.durationMinutes),
      idleTimeoutMinutes: toNumber(form.idleTimeoutMinutes),
      credits: "cents" in credits ? credits.cents : 0,
      ...(form.provider ? { provider: form.provider } : {}),
      ...(agentConfig ? { agentConfig } : {}),
      ...(workspaceId ? { workspaceId } : {}),
      visibility: form.visibility,
    };
    const parsed = createRunInput.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? "");
        local[key] ??= issue.message === "Invalid input: expected number, received undefined" ? "is required" : issue.message;
      }
    }
    if (Object.keys(local).length > 0 || !parsed.success) {
      setErrors(local);
      return;
    }
    try {
      const { id } = await create.mutateAsync(parsed.data);
      void utils.run.list.invalidate();
      void navigate(`/runs/${id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      setTopError(formError(err));
    }
  };

  if (agents.isPending) return <Loading label="Loading agents…" />;
  if (agents.isError) return <ErrorState error={agents.error} retry={() => void agents.refetch()} />;
  if (agents.data.length === 0) {
    return <Empty title="No agents yet">An admin needs to create an agent (or seed the demo data) before runs can launch.</Empty>;
  }
  if (usableAgents.length === 0) {
    return <Empty title="No agents open to you">The agents here are for operators; an admin can open one to members.</Empty>;
  }

  return (
    <div className="launch">
      <div className="page-head">
        <div>
          <h1>Launch a run</h1>
          <p className="muted">Give an agent a goal with a measurable target. It runs in its own sandbox; you watch it live.</p>
        </div>
      </div>
      <form className="form card launch-form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="launch-form">
        <FormError message={topError} />
        {appErrorCode(create.error) === "PLAN_LIMIT" && workspaceId && (
          <p>
            <Link to={billingPath(workspaceId)} className="btn btn-sm">
              Upgrade the workspace&apos;s plan
            </Link>
          </p>
        )}
        <div className="presets">
          <span className="muted">Try:</span>
          {PRESETS.map((p) => (
            <button
              key={p.label}
              type="button"
              className="chip chip-button"
              onClick={() => setForm((f) => ({ ...f, goal: p.goal, metric: p.metric, targetValue: p.targetValue }))}
            >
              {p.label}
            </button>
          ))}
        </div>
        <Field
          label="Agent"
          error={errors.agentId}
          hint={selectedAgent ? `${selectedAgent.model} · ${selectedAgent.specialization} · ${selectedAgent.policy} policy` : undefined}
        >
          {(p) => (
            <select {...p} name="agentId" value={agentId} onChange={set("agentId")}>
              {usableAgents.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name} — {agent.model}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="row-2">
          <Field label="Workspace" error={errors.workspaceId} hint={selectedWorkspace?.personal ? "Your personal workspace." : undefined}>
            {(p) => (
              <select {...p} name="workspaceId" value={workspaceId} onChange={set("workspaceId")}>
                {launchable.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.personal ? "Personal" : w.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Visibility"
            error={errors.visibility}
            hint={
              form.visibility === "public"
                ? "In the arena: every signed-in user can watch and bet."
                : `Private: only ${selectedWorkspace?.personal ? "you" : `members of ${selectedWorkspace?.name ?? "the workspace"}`} (and site operators) can see it.`
            }
          >
            {(p) => (
              <select {...p} name="visibility" value={form.visibility} onChange={set("visibility")}>
                <option value="public">Public</option>
                <option value="workspace">Workspace only</option>
              </select>
            )}
          </Field>
        </div>
        <Field label="Goal" error={errors.goal}>
          {(p) => (
            <textarea {...p} name="goal" rows={3} value={form.goal} onChange={set("goal")} placeholder="What should the agent achieve?" />
          )}
        </Field>
        <div className="row-2">
          <Field label="Metric" error={errors.metric} hint="What progress is counted in.">
            {(p) => <input {...p} name="metric" value={form.metric} onChange={set("metric")} placeholder="signups" />}
          </Field>
          <Field label="Target" error={errors.targetValue}>
            {(p) => <input {...p} name="targetValue" inputMode="decimal" value={form.targetValue} onChange={set("targetValue")} />}
          </Field>
        </div>
        <div className="row-3">
          <Field label="Duration (minutes)" error={errors.durationMinutes}>
            {(p) => (
              <input {...p} name="durationMinutes" inputMode="numeric" value={form.durationMinutes} onChange={set("durationMinutes")} />
            )}
          </Field>
          <Field label="Idle timeout (minutes)" error={errors.idleTimeoutMinutes} hint="Default 15.">
            {(p) => (
              <input
                {...p}
                name="idleTimeoutMinutes"
                inputMode="numeric"
                value={form.idleTimeoutMinutes}
                onChange={set("idleTimeoutMinutes")}
                placeholder="15"
              />
            )}
          </Field>
          <Field
            label="Credits ($)"
            error={errors.credits}
            hint={
              user
                ? `From your ${formatCents(user.balance)}${providers.data ? `; at least ${formatCents(providers.data.minCredits)}` : ""}; unspent credits come back.`
                : undefined
            }
          >
            {(p) => <input {...p} name="credits" inputMode="decimal" value={form.credits} onChange={set("credits")} />}
          </Field>
        </div>
        <details className="advanced">
          <summary>Advanced</summary>
          <div className="row-2">
            <Field
              label="Provider"
              error={errors.provider}
              hint={providers.data?.default ? `Default: ${providers.data.default}` : undefined}
            >
              {(p) => (
                <select {...p} name="provider" value={form.provider} onChange={set("provider")}>
                  <option value="">Default</option>
                  {(providers.data?.available ?? []).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Agent config (JSON)" error={errors.agentConfig} hint='e.g. {"stepMs": 1000}'>
              {(p) => (
                <textarea
                  {...p}
                  name="agentConfig"
                  rows={2}
                  value={form.agentConfig}
                  onChange={set("agentConfig")}
                  spellCheck={false}
                  className="mono"
                />
              )}
            </Field>
          </div>
        </details>
        <div className="form-actions">
          <Link to="/" className="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? <Spinner label="Launching" /> : "Launch run"}
          </button>
        </div>
      </form>
    </div>
  );
}
