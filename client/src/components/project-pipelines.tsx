// A project's pipelines: start one from a template, start a batch (one input per line), watch each
// pipeline's graph and each batch's live counts, and cancel a running pipeline.
import { useMemo, useState, type FormEvent } from "react";
import type { PipelineTemplate } from "@shared/pipeline-templates";
import { trpc } from "../trpc";
import { Field, FormError } from "./field";
import { Empty, ErrorState, Loading, Spinner } from "./states";
import { PipelineGraph } from "./pipeline-graph";
import { errorMessage, fieldErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { useLivePipelines } from "../live/use-live-pipelines";

const newKey = () =>
  typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

function StartPipeline({ projectId, templates }: { projectId: string; templates: readonly PipelineTemplate[] }) {
  const utils = trpc.useUtils();
  const [templateId, setTemplateId] = useState(templates[0]?.key ?? "");
  const template = templates.find((t) => t.key === templateId);
  const [input, setInput] = useState<Record<string, string>>({});
  const [batchLines, setBatchLines] = useState("");
  const [mode, setMode] = useState<"one" | "batch">("one");
  // One key per filled-in batch form: a double click or a retry sends the same one.
  const [batchKey, setBatchKey] = useState(newKey);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const start = trpc.pipeline.start.useMutation();
  const startBatch = trpc.pipeline.startBatch.useMutation();
  const busy = start.isPending || startBatch.isPending;

  const batchInputs = useMemo(
    () =>
      batchLines
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((line) => {
          const parts = line.split("|").map((p) => p.trim());
          return Object.fromEntries((template?.inputFields ?? []).map((f, i) => [f.key, parts[i] ?? ""]));
        }),
    [batchLines, template],
  );

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(undefined);
    try {
      if (mode === "one") {
        await start.mutateAsync({ projectId, templateId, input });
        setInput({});
      } else {
        await startBatch.mutateAsync({ projectId, templateId, inputs: batchInputs, idempotencyKey: batchKey });
        setBatchLines("");
        setBatchKey(newKey());
        await utils.pipeline.batches.invalidate({ projectId });
      }
      await utils.pipeline.list.invalidate({ projectId });
    } catch (err) {
      setErrors(fieldErrors(err));
      setFormError(errorMessage(err));
    }
  };

  if (!template) return null;
  return (
    <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Start a pipeline">
      <div className="card-head">
        <h3>Start a pipeline</h3>
        <div className="segmented" role="group" aria-label="How many">
          <button type="button" className={mode === "one" ? "active" : ""} aria-pressed={mode === "one"} onClick={() => setMode("one")}>
            One
          </button>
          <button
            type="button"
            className={mode === "batch" ? "active" : ""}
            aria-pressed={mode === "batch"}
            onClick={() => setMode("batch")}
          >
            Batch
          </button>
        </div>
      </div>
      <Field label="Template" hint={template.description}>
        {(p) => (
          <select {...p} value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            {templates.map((t) => (
              <option key={t.key} value={t.key}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {mode === "one" ? (
        template.inputFields.map((f) => (
          <Field key={f.key} label={f.label} error={errors[`input.${f.key}`]}>
            {(p) => (
              <input
                {...p}
                value={input[f.key] ?? ""}
                placeholder={f.example}
                onChange={(e) => setInput({ ...input, [f.key]: e.target.value })}
              />
            )}
          </Field>
        ))
      ) : (
        <Field
          label={`Inputs, one per line (${template.inputFields.map((f) => f.label).join(" | ")})`}
          error={errors.inputs ?? Object.entries(errors).find(([k]) => k.startsWith("inputs."))?.[1]}
          hint={`${batchInputs.length} input${batchInputs.length === 1 ? "" : "s"}`}
        >
          {(p) => (
            <textarea
              {...p}
              rows={5}
              value={batchLines}
              placeholder={template.inputFields.map((f) => f.example).join(" | ")}
              onChange={(e) => setBatchLines(e.target.value)}
            />
          )}
        </Field>
      )}
      <FormError message={formError} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? <Spinner /> : mode === "one" ? "Start pipeline" : `Start batch of ${batchInputs.length}`}
      </button>
    </form>
  );
}

function Batches({ projectId }: { projectId: string }) {
  const batches = trpc.pipeline.batches.useQuery({ projectId });
  if (batches.isPending || batches.isError || batches.data.length === 0) return null;
  return (
    <section className="card" aria-label="Batches">
      <h3>Batches</h3>
      <ul className="token-list">
        {batches.data.map((b) => (
          <li key={b.id} data-testid="batch" data-status={b.status}>
            <div>
              <strong>
                {b.templateKey} × {b.inputsCount}
              </strong>{" "}
              <span className={`badge badge-${b.status === "completed" ? "done" : "running"}`}>{b.status}</span>
              <p className="muted small">started {formatDateTime(b.createdAt)}</p>
            </div>
            <dl className="batch-counts">
              {(["pending", "running", "done", "failed"] as const).map((k) => (
                <div key={k}>
                  <dt className="muted small">{k}</dt>
                  <dd data-testid={`batch-${k}`}>{b.counts[k]}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Cancels a running pipeline (its open steps' tasks and runs); the live update then refreshes the list. */
function CancelPipeline({ id, projectId }: { id: string; projectId: string }) {
  const utils = trpc.useUtils();
  const cancel = trpc.pipeline.cancel.useMutation({ onSettled: () => utils.pipeline.list.invalidate({ projectId }) });
  return (
    <p>
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        disabled={cancel.isPending}
        onClick={() => {
          if (window.confirm("Cancel this pipeline? Its steps that have not ended are canceled, and their runs stopped."))
            cancel.mutate({ id });
        }}
      >
        {cancel.isPending ? <Spinner /> : "Cancel pipeline"}
      </button>
      {cancel.error && <FormError message={errorMessage(cancel.error)} />}
    </p>
  );
}

export function ProjectPipelines({ projectId }: { projectId: string }) {
  useLivePipelines(projectId);
  const templates = trpc.pipeline.templates.useQuery();
  const pipelines = trpc.pipeline.list.useQuery({ projectId, limit: 20 });
  return (
    <section className="project-section" aria-label="Pipelines">
      <h2>Pipelines</h2>
      {templates.data && <StartPipeline projectId={projectId} templates={templates.data} />}
      <Batches projectId={projectId} />
      {pipelines.isPending ? (
        <Loading />
      ) : pipelines.isError ? (
        <ErrorState error={pipelines.error} retry={() => void pipelines.refetch()} />
      ) : pipelines.data.length === 0 ? (
        <Empty title="No pipelines yet">Start one above: its steps become tasks on the board, run in dependency order.</Empty>
      ) : (
        pipelines.data.map((p) => (
          <article key={p.id} className="card" aria-label={`${p.templateName} pipeline`}>
            <div className="card-head">
              <strong>{p.templateName}</strong>
              <span className={`badge badge-${p.status === "succeeded" ? "done" : p.status}`}>
                {p.status === "running" ? p.phase : p.status}
              </span>
            </div>
            <p className="muted small">
              {Object.values(p.input as Record<string, string>).join(" · ")} · started {formatDateTime(p.createdAt)}
              {p.failedStepKey && ` · stopped at “${p.failedStepKey}”`}
            </p>
            <PipelineGraph pipeline={p} />
            {p.status === "running" && <CancelPipeline id={p.id} projectId={projectId} />}
          </article>
        ))
      )}
    </section>
  );
}
