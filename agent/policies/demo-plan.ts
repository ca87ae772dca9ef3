// The demo policy's decisions as pure functions: what each step reports, where progress goes,
// how prompts change the pace. No I/O here, so the plan is testable and reproducible; demo.ts
// only carries it out against the bridge.
import { demoAgentConfigSchema, formatIssuePath, type CompletionOutcome, type EventInput } from "../../shared/bridge";

export interface DemoSettings {
  stepMs: number;
  progressPerStep: number;
  succeed: boolean;
  creditsPerStep: number;
  screenshotEvery: number;
}

export interface DemoRunShape {
  goal: string;
  metric: string;
  targetValue: number;
}

export interface DemoStep {
  /** 0-based. */
  index: number;
  progressBefore: number;
  /** The value to post with POST /progress after this step. */
  progress: number;
  /** Feed events of this step; a screenshot event is added once the upload returns its id. */
  events: EventInput[];
  screenshot: boolean;
}

/** Where a demo configured to fail stops advancing, as a fraction of the target. */
export const STALL_FRACTION = 0.6;
export const MIN_STEP_MS = 10;
export const MAX_STEP_MS = 60_000;

/** Validates the run's agentConfig; the error names the offending agentConfig field. */
export function resolveDemoSettings(agentConfig: unknown, targetValue: number): DemoSettings {
  const parsed = demoAgentConfigSchema.safeParse(agentConfig ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? formatIssuePath(["agentConfig", ...issue.path]) : "agentConfig";
    throw new Error(`${field}: ${issue?.message ?? "invalid demo configuration"}`);
  }
  const config = parsed.data;
  // 10% of the target reaches it in ten steps; a zero target still needs a positive step.
  const defaultStep = targetValue > 0 ? targetValue / 10 : 1;
  return {
    stepMs: config.stepMs,
    progressPerStep: config.progressPerStep ?? defaultStep,
    succeed: config.succeed,
    creditsPerStep: config.creditsPerStep,
    screenshotEvery: config.screenshotEvery,
  };
}

/** The highest progress the demo will report: the target, or the stall point when failing. */
export function progressCeiling(settings: DemoSettings, targetValue: number): number {
  return settings.succeed ? targetValue : roundProgress(targetValue * STALL_FRACTION);
}

/**
 * Every step from `startProgress` until the ceiling. Lazy, because a tiny progressPerStep
 * against a huge target means many steps. The last step lands exactly on the ceiling.
 */
export function* planDemoSteps(settings: DemoSettings, run: DemoRunShape, startProgress: number): Generator<DemoStep> {
  const ceiling = progressCeiling(settings, run.targetValue);
  let progress = Math.max(0, startProgress);
  for (let index = 0; progress < ceiling; index++) {
    const next = nextProgress(progress, settings.progressPerStep, ceiling);
    yield {
      index,
      progressBefore: progress,
      progress: next,
      events: stepEvents(index, progress, next, run),
      screenshot: settings.screenshotEvery > 0 && (index + 1) % settings.screenshotEvery === 0,
    };
    progress = next;
  }
}

export function nextProgress(current: number, step: number, ceiling: number): number {
  const raw = current + step;
  // Snap to the ceiling when float error would leave a sliver of a step (0.1 + 0.2 …).
  if (raw >= ceiling - Math.abs(ceiling) * 1e-9) return ceiling;
  const rounded = roundProgress(raw);
  return rounded > current ? rounded : raw;
}

function roundProgress(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

const fmt = (value: number) => String(roundProgress(value));

/** One event per step, rotating through thought → action → tool_call → log. */
export function stepEvents(index: number, before: number, after: number, run: DemoRunShape): EventInput[] {
  const n = index + 1;
  const { metric, targetValue: target } = run;
  switch (index % 4) {
    case 0:
      return [
        {
          kind: "thought",
          payload: { text: `Step ${n}: ${metric} is at ${fmt(before)} of ${fmt(target)}; next I push it to ${fmt(after)}.` },
        },
      ];
    case 1:
      return [
        {
          kind: "action",
          payload: { name: "advance_metric", detail: `${metric}: ${fmt(before)} → ${fmt(after)} (goal: ${run.goal})`.slice(0, 4_096) },
        },
      ];
    case 2:
      return [
        {
          kind: "tool_call",
          payload: { tool: "measure_metric", input: { metric }, output: { value: after }, durationMs: 20 + ((index * 37) % 80) },
        },
      ];
    default:
      return [
        { kind: "log", payload: { message: `step ${n} done: ${metric} = ${fmt(after)}/${fmt(target)}`, level: "info", stream: "stdout" } },
      ];
  }
}

export interface DemoConclusion {
  outcome: CompletionOutcome;
  summary: string;
  events: EventInput[];
}

/** How the demo ends once its plan is exhausted. */
export function concludeDemo(settings: DemoSettings, run: DemoRunShape, finalProgress: number): DemoConclusion {
  if (settings.succeed && finalProgress >= run.targetValue) {
    return {
      outcome: "succeeded",
      summary: `Reached the target: ${run.metric} = ${fmt(finalProgress)} of ${fmt(run.targetValue)}.`,
      events: [{ kind: "thought", payload: { text: `Target reached: ${run.metric} = ${fmt(finalProgress)}. Wrapping up.` } }],
    };
  }
  return {
    outcome: "failed",
    summary: `Stalled at ${run.metric} = ${fmt(finalProgress)} of ${fmt(run.targetValue)}.`,
    events: [
      { kind: "thought", payload: { text: `I cannot get ${run.metric} past ${fmt(finalProgress)}; every attempt stalls. Giving up.` } },
      { kind: "log", payload: { message: `stalled at ${fmt(finalProgress)}/${fmt(run.targetValue)}`, level: "warn", stream: "stderr" } },
    ],
  };
}

export type PromptCommand = "faster" | "slower" | "stop";

/** The demo understands three words; "stop" wins when a prompt contains several. */
export function parsePromptCommand(text: string): PromptCommand | undefined {
  const words = new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
  if (words.has("stop")) return "stop";
  if (words.has("faster")) return "faster";
  if (words.has("slower")) return "slower";
  return undefined;
}

export function applyPromptCommand(stepMs: number, command: PromptCommand | undefined): number {
  if (command === "faster") return Math.max(MIN_STEP_MS, Math.round(stepMs / 2));
  if (command === "slower") return Math.min(MAX_STEP_MS, stepMs * 2);
  return stepMs;
}

export function promptReply(command: PromptCommand | undefined, stepMs: number): string {
  switch (command) {
    case "stop":
      return "Stopping now.";
    case "faster":
    case "slower":
      return `Going ${command}: one step every ${stepMs} ms.`;
    default:
      return 'Noted. The demo agent understands "faster", "slower" and "stop".';
  }
}
