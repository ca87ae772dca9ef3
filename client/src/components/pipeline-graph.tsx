// A pipeline's steps as a graph: one column per depth of the DAG (a step sits right of every step
// it depends on), each step a box with its task's status, attempts and output. Steps in one column
// can run at the same time. Also a list for screen readers: the same facts in reading order.
import { Link } from "react-router";
import type { RouterOutputs } from "../trpc";

type PipelineView = RouterOutputs["pipeline"]["get"];
type Step = PipelineView["steps"][number];

const STATUS_LABEL: Record<string, string> = {
  backlog: "Waiting",
  ready: "Ready",
  running: "Running",
  review: "In review",
  done: "Done",
  failed: "Failed",
  canceled: "Stopped",
};

/** Each step's column: 0 for steps without dependencies, else one more than its deepest dependency. */
export function stepColumns(steps: readonly { key: string; dependsOn: readonly string[] }[]): Map<string, number> {
  const depth = new Map<string, number>();
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const visit = (key: string, seen: Set<string>): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return 0;
    seen.add(key);
    const deps = byKey.get(key)?.dependsOn ?? [];
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((k) => visit(k, seen)));
    depth.set(key, d);
    return d;
  };
  for (const s of steps) visit(s.key, new Set());
  return depth;
}

function outputText(step: Step): string | null {
  const t = step.task;
  if (!t) return null;
  if (t.status === "failed" || t.status === "canceled") return t.error;
  return t.resultSummary;
}

function StepBox({ step, failed }: { step: Step; failed: boolean }) {
  const status = step.task?.status ?? "backlog";
  const agentAttempts = step.task?.attempts ?? [];
  const jobs = step.task?.externalJobs ?? [];
  const output = outputText(step);
  return (
    <li
      className={`pipeline-step step-${status}${failed ? " step-where" : ""}`}
      data-testid="pipeline-step"
      data-step={step.key}
      data-status={status}
    >
      <div className="pipeline-step-head">
        <strong>{step.name}</strong>
        <span className={`badge badge-${status}`}>{STATUS_LABEL[status] ?? status}</span>
      </div>
      <p className="muted small">
        {step.external ? `${step.external} service` : step.specialization}
        {step.dependsOn.length > 0 && ` · after ${step.dependsOn.join(", ")}`}
      </p>
      {agentAttempts.length > 0 && (
        <p className="small">
          {agentAttempts.length} attempt{agentAttempts.length > 1 ? "s" : ""}
          {agentAttempts.map((a) =>
            a.runId ? (
              <span key={a.id}>
                {" · "}
                <Link to={`/runs/${a.runId}`}>run {a.number}</Link>
              </span>
            ) : null,
          )}
        </p>
      )}
      {jobs.length > 0 && (
        <p className="small">
          {jobs
            .map(
              (j) => `attempt ${j.attempt}/${j.maxAttempts}: ${j.status.replace("_", " ")}${j.completedBy ? ` (by ${j.completedBy})` : ""}`,
            )
            .join(" · ")}
        </p>
      )}
      {output && <p className="pipeline-step-output small">{output}</p>}
      {step.task && (
        <Link className="small" to={`/tasks/${step.task.id}`}>
          Task details
        </Link>
      )}
    </li>
  );
}

export function PipelineGraph({ pipeline }: { pipeline: PipelineView }) {
  const columns = stepColumns(pipeline.steps);
  const count = Math.max(0, ...columns.values()) + 1;
  return (
    <div className="pipeline-graph" data-testid="pipeline-graph" data-pipeline={pipeline.id} data-status={pipeline.status}>
      {Array.from({ length: count }, (_, c) => (
        <ol key={c} className="pipeline-column" aria-label={`Stage ${c + 1}`}>
          {pipeline.steps
            .filter((s) => columns.get(s.key) === c)
            .map((s) => (
              <StepBox key={s.key} step={s} failed={pipeline.failedStepKey === s.key} />
            ))}
        </ol>
      ))}
    </div>
  );
}
