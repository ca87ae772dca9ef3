// The deterministic demo policy: carries out the plan from demo-plan.ts against the bridge,
// paying credits per step, uploading screenshots and obeying "faster" / "slower" / "stop".
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { abortableSleep } from "../abortable-sleep";
import { renderProgressScreenshot } from "../screenshot";
import { isBridgeError } from "../sdk";
import { aborted, completeRun, errorMessage, type PolicyContext, type PolicyResult } from "./context";
import {
  applyPromptCommand,
  concludeDemo,
  parsePromptCommand,
  planDemoSteps,
  promptReply,
  resolveDemoSettings,
  type DemoSettings,
  type DemoStep,
} from "./demo-plan";

export async function runDemoPolicy(ctx: PolicyContext): Promise<PolicyResult> {
  const { client, run, signal } = ctx;
  let settings: DemoSettings;
  try {
    settings = resolveDemoSettings(run.agentConfig, run.targetValue);
  } catch (error) {
    await client.event("error", { message: `Invalid demo configuration: ${errorMessage(error)}` });
    return completeRun(ctx, "failed", `invalid agentConfig: ${errorMessage(error)}`);
  }

  ctx.log(
    `demo policy: target ${run.targetValue}, ${settings.progressPerStep}/step, every ${settings.stepMs} ms, succeed=${settings.succeed}`,
  );
  let stepMs = settings.stepMs;
  let progress = run.currentProgress;

  for (const step of planDemoSteps(settings, run, run.currentProgress)) {
    if (step.index > 0) {
      const slept = await abortableSleep(stepMs, signal).then(
        () => true,
        () => false,
      );
      if (!slept) return aborted();
    }
    if (signal.aborted) return aborted();

    const pace = await obeyPrompts(ctx, stepMs);
    if (pace.stop) return completeRun(ctx, "failed", "stopped by prompt");
    stepMs = pace.stepMs;

    if (settings.creditsPerStep > 0) {
      try {
        await client.spendCredits(settings.creditsPerStep, `demo step ${step.index + 1}`);
      } catch (error) {
        if (!isBridgeError(error, "INSUFFICIENT_FUNDS")) throw error;
        await client.event("error", { message: `Out of credits before step ${step.index + 1}: ${error.message}` });
        return completeRun(ctx, "failed", `out of credits after ${step.index} step(s)`);
      }
    }
    await performStep(ctx, step);
    progress = step.progress;
  }

  const conclusion = concludeDemo(settings, run, progress);
  await client.events(conclusion.events);
  return completeRun(ctx, conclusion.outcome, conclusion.summary);
}

async function performStep({ client, run, resultsDir }: PolicyContext, step: DemoStep): Promise<void> {
  await client.events(step.events);
  if (resultsDir) await writeResults(resultsDir, run.metric, step.progressBefore, step.progress);
  await client.progress(step.progress, `demo step ${step.index + 1}`);
  if (!step.screenshot) return;
  const artifact = await client.uploadArtifact({
    filename: `step-${String(step.index + 1).padStart(4, "0")}.png`,
    content: renderProgressScreenshot(step.progress, run.targetValue),
    contentType: "image/png",
    kind: "screenshot",
    caption: `${run.metric} at ${step.progress} of ${run.targetValue}`,
  });
  await client.event("screenshot", { artifactId: artifact.id, caption: `After step ${step.index + 1}` });
}

/** Reads pending prompts without waiting, acknowledges each, and returns the new pace. */
async function obeyPrompts({ client, log }: PolicyContext, stepMs: number): Promise<{ stepMs: number; stop: boolean }> {
  let stop = false;
  for (const prompt of await client.prompts({ waitSeconds: 0 })) {
    const command = parsePromptCommand(prompt.text);
    stepMs = applyPromptCommand(stepMs, command);
    stop ||= command === "stop";
    log(`prompt ${prompt.id}: ${JSON.stringify(prompt.text)} → ${command ?? "not understood"}`);
    await client.ack(prompt.id, promptReply(command, stepMs));
  }
  return { stepMs, stop };
}

/** More files than this and the demo stops writing (its verifier then counts fewer). */
const MAX_RESULT_FILES = 10_000;

/**
 * One file per whole unit of progress, so the run's verifier (counting the files) measures what
 * the demo really did rather than what it reports.
 */
async function writeResults(dir: string, metric: string, before: number, after: number): Promise<void> {
  const from = Math.floor(before) + 1;
  const to = Math.min(Math.floor(after), MAX_RESULT_FILES);
  if (to < from) return;
  await mkdir(dir, { recursive: true });
  for (let n = from; n <= to; n++) {
    await writeFile(path.join(dir, `result-${String(n).padStart(5, "0")}.txt`), `${metric} #${n}\n`);
  }
}
