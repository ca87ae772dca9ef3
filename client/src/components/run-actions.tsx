// What a watcher can do to a live run: add credits, send a prompt, cancel it — each for those
// shared/run-rules.ts lets steer it (the run's workspace members and operators), and explained otherwise.
import { useState, type FormEvent } from "react";
import { trpc } from "../trpc";
import { centsFromInput, formatAgo, formatCents } from "../lib/format";
import { errorMessage, fieldErrors } from "../lib/errors";
import { useNow } from "../hooks/use-now";
import { isLiveRun } from "@shared/run-status";
import { Spinner } from "./states";
import type { RunDetail } from "../live/use-live-run";
import { cancelRefusal, creditRefusal, promptRefusal } from "@shared/run-rules";
import { useMe } from "../hooks/use-me";
import { runActor, runStanding } from "../lib/run-standing";
import { sentence } from "./bet-panel";

export function CreditsPanel({ run }: { run: RunDetail }) {
  const now = useNow();
  const actor = runActor(useMe().user);
  const refusal = actor ? creditRefusal(actor, runStanding(run, now)) : null;
  const utils = trpc.useUtils();
  const inject = trpc.run.injectCredits.useMutation();
  const [text, setText] = useState("5");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const left = Math.max(0, run.creditBudget - run.creditsSpent);
  const pct = run.creditBudget > 0 ? Math.min(100, (run.creditsSpent / run.creditBudget) * 100) : 0;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(undefined);
    const amount = centsFromInput(text);
    if ("error" in amount) {
      setError(`Amount ${amount.error}`);
      return;
    }
    setError(undefined);
    try {
      const result = await inject.mutateAsync({ id: run.id, amount: amount.cents });
      utils.run.get.setData({ id: run.id }, (prev) =>
        prev ? { ...prev, creditBudget: result.creditBudget, viewer: { ...prev.viewer, hasPrompted: true } } : prev,
      );
      setDone(`Added ${formatCents(amount.cents)}`);
    } catch (err) {
      setError(fieldErrors(err).amount ?? errorMessage(err));
    }
  };

  return (
    <section className="card slot-credits" aria-labelledby="credits-title">
      <div className="card-head">
        <h2 id="credits-title">Credits</h2>
        <span className="muted" data-testid="credits-left">
          {isLiveRun(run.status) ? `${formatCents(left)} left` : `${formatCents(left)} returned`}
        </span>
      </div>
      <div className="meter" aria-hidden>
        <span style={{ width: `${pct}%` }} />
      </div>
      <p className="muted small">
        {formatCents(run.creditsSpent)} spent of a {formatCents(run.creditBudget)} budget
      </p>
      {isLiveRun(run.status) && refusal && (
        <p className="muted small" data-testid="credits-refusal">
          {sentence(refusal)}
        </p>
      )}
      {isLiveRun(run.status) && !refusal && (
        <form className="inline-form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <span className="amount-input">
            <span aria-hidden>$</span>
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              inputMode="decimal"
              aria-label="Credits to add, in dollars"
              aria-invalid={Boolean(error)}
            />
          </span>
          <button type="submit" className="btn" disabled={inject.isPending}>
            {inject.isPending ? <Spinner /> : "Inject credits"}
          </button>
        </form>
      )}
      {isLiveRun(run.status) && error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {isLiveRun(run.status) && done && <p className="success">{done}</p>}
    </section>
  );
}

const PROMPT_STATUS: Record<string, string> = { pending: "waiting", delivered: "delivered", acknowledged: "acknowledged" };

export function PromptPanel({ run }: { run: RunDetail }) {
  const now = useNow();
  const actor = runActor(useMe().user);
  const refusal = actor ? promptRefusal(actor, runStanding(run, now)) : null;
  const utils = trpc.useUtils();
  const submit = trpc.run.submitPrompt.useMutation();
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setError("Write an instruction first.");
      return;
    }
    setError(undefined);
    try {
      const prompt = await submit.mutateAsync({ id: run.id, text });
      utils.run.get.setData({ id: run.id }, (prev) =>
        prev
          ? {
              ...prev,
              prompts: [{ ...prompt, response: null, acknowledgedAt: null }, ...prev.prompts],
              viewer: { ...prev.viewer, hasPrompted: true },
            }
          : prev,
      );
      setText("");
    } catch (err) {
      const f = fieldErrors(err);
      setError(f.text ? `Prompt ${f.text}` : errorMessage(err));
    }
  };

  return (
    <section className="card slot-prompts" aria-labelledby="prompt-title">
      <div className="card-head">
        <h2 id="prompt-title">Prompts</h2>
      </div>
      {isLiveRun(run.status) && refusal ? (
        <p className="muted small" data-testid="prompt-refusal">
          {sentence(refusal)}
        </p>
      ) : isLiveRun(run.status) ? (
        <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <textarea
            rows={2}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Tell the agent something, e.g. focus on the pricing page"
            aria-label="Prompt for the agent"
            maxLength={4000}
          />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn" disabled={submit.isPending}>
            {submit.isPending ? <Spinner /> : "Send prompt"}
          </button>
        </form>
      ) : (
        <p className="muted small">The run has ended; it takes no more prompts.</p>
      )}
      {run.prompts.length > 0 && (
        <ul className="prompt-list">
          {run.prompts.map((p) => (
            <li key={p.id}>
              <p>{p.text}</p>
              <div className="muted small">
                <span className={`chip chip-${p.status}`}>{PROMPT_STATUS[p.status] ?? p.status}</span> {formatAgo(p.createdAt, now)}
              </div>
              {p.response && <p className="prompt-response">↳ {p.response}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CancelRun({ run }: { run: RunDetail }) {
  const now = useNow();
  const actor = runActor(useMe().user);
  const refusal = actor ? cancelRefusal(actor, runStanding(run, now)) : null;
  const utils = trpc.useUtils();
  const cancel = trpc.run.cancel.useMutation();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();

  const onCancel = async () => {
    setError(undefined);
    try {
      const result = await cancel.mutateAsync({ id: run.id });
      utils.run.get.setData({ id: run.id }, (prev) => (prev ? { ...prev, status: result.status } : prev));
      void utils.run.get.invalidate({ id: run.id });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setConfirming(false);
    }
  };

  if (refusal) {
    return (
      <div className="cancel-run">
        <p className="muted small" data-testid="cancel-refusal">
          {sentence(refusal)}
        </p>
      </div>
    );
  }

  return (
    <div className="cancel-run">
      {confirming ? (
        <div className="confirm">
          <span>Stop the agent and refund every bet?</span>
          <button type="button" className="btn btn-danger btn-sm" onClick={() => void onCancel()} disabled={cancel.isPending}>
            {cancel.isPending ? <Spinner /> : "Yes, cancel run"}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
            Keep running
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-ghost btn-danger-text btn-sm" onClick={() => setConfirming(true)}>
          Cancel run
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
