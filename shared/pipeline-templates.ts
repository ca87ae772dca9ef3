// Pipeline templates as code: each is a DAG of steps that `pipeline.start` turns into one task per
// step, with the step's dependencies as task dependencies. One function, validatePipelineTemplate,
// decides whether a template is a DAG Paddock can run (unique keys, known dependencies, no cycle);
// every template shipped here passes it (shared/pipeline-templates.test.ts), and so must any new one.
import type { Specialization } from "./task-rules";

/** Specializations a step may require of its agent (the agent registry's list, shared/task-rules.ts). */
export type StepSpecialization = Specialization;

/**
 * A step that is not an agent's work but a job in an external asynchronous service: Paddock starts
 * the job with its dependencies' outputs, and the step ends when the job does (webhook or polling).
 */
export interface ExternalJobConfig {
  /** Which external service runs the job (today: the render service). */
  service: "render";
  /** How long Paddock waits for the job to complete before the attempt fails. */
  timeoutSeconds: number;
  /** How many times the job is started before the step finally fails. */
  attempts: number;
  /** How often Paddock asks the service for the job's status when no webhook has arrived. */
  pollEverySeconds: number;
}

export interface PipelineStep {
  /** Unique within the template: lowercase letters, digits and '-'. */
  key: string;
  name: string;
  specialization: StepSpecialization;
  /** What the step's agent is asked to do; `{{field}}` is replaced by the pipeline input's field. */
  instructions: string;
  dependsOn: readonly string[];
  externalJob?: ExternalJobConfig;
}

export interface PipelineInputField {
  key: string;
  label: string;
  /** A short example shown in the start form. */
  example: string;
}

export interface PipelineTemplate {
  key: string;
  name: string;
  description: string;
  /** The fields every input of this template must carry (non-empty text). */
  inputFields: readonly PipelineInputField[];
  steps: readonly PipelineStep[];
}

/** Why a template is not a runnable DAG: the field at fault and the rule it breaks. */
export interface TemplateProblem {
  field: string;
  message: string;
}

export type TemplateValidation = { ok: true; order: string[] } | { ok: false; problem: TemplateProblem };

const STEP_KEY = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Checks that a template is a DAG Paddock can run and returns its steps in a dependency order (each
 * step after every step it depends on; ties keep the template's order). Refused: no steps, a bad or
 * repeated key, a dependency on an unknown step or on itself, a repeated dependency, a cycle (named
 * step by step), an external job with a non-positive timeout, attempts or poll interval.
 */
export function validatePipelineTemplate(template: Pick<PipelineTemplate, "steps">): TemplateValidation {
  const fail = (field: string, message: string): TemplateValidation => ({ ok: false, problem: { field, message } });
  const { steps } = template;
  if (steps.length === 0) return fail("steps", "a pipeline needs at least one step");
  const index = new Map<string, number>();
  for (const [i, step] of steps.entries()) {
    if (!STEP_KEY.test(step.key)) {
      return fail(`steps.${i}.key`, `step key "${step.key}" must start with a letter and hold only a-z, 0-9 and '-' (at most 40)`);
    }
    if (index.has(step.key)) return fail(`steps.${i}.key`, `step key "${step.key}" is used twice: each step needs its own key`);
    index.set(step.key, i);
  }
  for (const [i, step] of steps.entries()) {
    const seen = new Set<string>();
    for (const [j, dep] of step.dependsOn.entries()) {
      const field = `steps.${i}.dependsOn.${j}`;
      if (dep === step.key) return fail(field, `step "${step.key}" cannot depend on itself`);
      if (!index.has(dep)) return fail(field, `step "${step.key}" depends on "${dep}", which is not a step of this pipeline`);
      if (seen.has(dep)) return fail(field, `step "${step.key}" lists "${dep}" twice`);
      seen.add(dep);
    }
    const job = step.externalJob;
    if (job) {
      for (const name of ["timeoutSeconds", "attempts", "pollEverySeconds"] as const) {
        if (!Number.isInteger(job[name]) || job[name] < 1) {
          return fail(`steps.${i}.externalJob.${name}`, `step "${step.key}": ${name} must be a whole number of at least 1`);
        }
      }
    }
  }

  // Kahn's algorithm, taking ready steps in template order so the order is stable.
  const remaining = new Map(steps.map((s) => [s.key, new Set(s.dependsOn)]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const next = steps.find((s) => remaining.get(s.key)?.size === 0);
    if (!next) {
      const cycle = findCycle(steps, new Set(remaining.keys()));
      const first = index.get(cycle[0]!)!;
      return fail(`steps.${first}.dependsOn`, `steps depend on each other in a cycle: ${cycle.join(" → ")}`);
    }
    order.push(next.key);
    remaining.delete(next.key);
    for (const deps of remaining.values()) deps.delete(next.key);
  }
  return { ok: true, order };
}

/** A cycle among the given steps, as keys with the first repeated at the end (a → b → a). */
function findCycle(steps: PipelineTemplate["steps"], within: Set<string>): string[] {
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const start = steps.find((s) => within.has(s.key))!.key;
  // Every step left has a dependency left in the set, so walking dependencies must revisit a step.
  const path: string[] = [];
  let at = start;
  while (!path.includes(at)) {
    path.push(at);
    at = byKey.get(at)!.dependsOn.find((d) => within.has(d))!;
  }
  return [...path.slice(path.indexOf(at)), at];
}

/** The steps that depend, directly or through others, on the given step. */
export function dependentsOf(template: Pick<PipelineTemplate, "steps">, stepKey: string): string[] {
  const found = new Set<string>();
  let frontier = [stepKey];
  while (frontier.length > 0) {
    const next = template.steps.filter((s) => !found.has(s.key) && s.dependsOn.some((d) => frontier.includes(d))).map((s) => s.key);
    for (const k of next) found.add(k);
    frontier = next;
  }
  return template.steps.filter((s) => found.has(s.key)).map((s) => s.key);
}

/** A step's instructions with `{{field}}` replaced by the input's value (unknown fields stay as written). */
export function renderInstructions(instructions: string, input: Record<string, string>): string {
  return instructions.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => input[name] ?? whole);
}

/** Why an input does not fit the template, or null. */
export function inputProblem(template: Pick<PipelineTemplate, "inputFields">, input: Record<string, unknown>): TemplateProblem | null {
  for (const f of template.inputFields) {
    const v = input[f.key];
    if (typeof v !== "string" || v.trim() === "")
      return { field: `input.${f.key}`, message: `${f.label} is required (e.g. "${f.example}")` };
    if (v.length > 2_000) return { field: `input.${f.key}`, message: `${f.label} must be at most 2,000 characters` };
  }
  const extra = Object.keys(input).find((k) => !template.inputFields.some((f) => f.key === k));
  if (extra !== undefined) return { field: `input.${extra}`, message: `"${extra}" is not an input of this pipeline` };
  return null;
}

export const researchDraftReview: PipelineTemplate = {
  key: "research-draft-review",
  name: "Research → draft → review",
  description: "Research a topic, write a draft from the research, and review the draft.",
  inputFields: [{ key: "topic", label: "Topic", example: "How small teams adopt AI agents" }],
  steps: [
    {
      key: "research",
      name: "Research",
      specialization: "researcher",
      instructions: "Research {{topic}}. Collect the key facts and their sources as a short brief.",
      dependsOn: [],
    },
    {
      key: "draft",
      name: "Draft",
      specialization: "writer",
      instructions: "Write a draft article on {{topic}} from the research brief you are given.",
      dependsOn: ["research"],
    },
    {
      key: "review",
      name: "Review",
      specialization: "reviewer",
      instructions: "Review the draft on {{topic}}: check it against the research, fix errors, and list what changed.",
      dependsOn: ["draft"],
    },
  ],
};

export const outreach: PipelineTemplate = {
  key: "outreach",
  name: "Personalized outreach video",
  description: "Research a prospect, script a short video for them, generate its assets, render it and deliver it.",
  inputFields: [
    { key: "prospect", label: "Prospect", example: "Ada Lovelace, CTO at Analytical Engines" },
    { key: "offer", label: "Offer", example: "A 20-minute demo of Paddock" },
  ],
  steps: [
    {
      key: "research-prospect",
      name: "Research prospect",
      specialization: "researcher",
      instructions: "Research {{prospect}}: role, company, recent news, and what would make {{offer}} relevant to them.",
      dependsOn: [],
    },
    {
      key: "write-script",
      name: "Write script",
      specialization: "writer",
      instructions: "Write a 45-second video script for {{prospect}} presenting {{offer}}, from the research you are given.",
      dependsOn: ["research-prospect"],
    },
    {
      key: "generate-assets",
      name: "Generate assets",
      specialization: "designer",
      instructions: "Generate the visual assets (title card, slides, captions) for the script you are given.",
      dependsOn: ["write-script"],
    },
    {
      key: "render",
      name: "Render",
      specialization: "general",
      // Paddock itself runs this step: it starts a render job with the outputs of the steps before it.
      instructions: "Render the video for {{prospect}} from the script and assets of the steps before it.",
      dependsOn: ["generate-assets"],
      externalJob: { service: "render", timeoutSeconds: 600, attempts: 3, pollEverySeconds: 15 },
    },
    {
      key: "deliver",
      name: "Deliver",
      specialization: "general",
      instructions: "Send {{prospect}} the rendered video with a short personal note about {{offer}}.",
      dependsOn: ["render"],
    },
  ],
};

export const PIPELINE_TEMPLATES: readonly PipelineTemplate[] = [researchDraftReview, outreach];

export function findPipelineTemplate(key: string): PipelineTemplate | undefined {
  return PIPELINE_TEMPLATES.find((t) => t.key === key);
}
