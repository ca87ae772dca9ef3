// The llm policy: each turn asks an OpenAI-compatible model what to do next, reports its
// thought and action to the feed, moves progress by the delta it proposes and completes when
// the model says it is done, the target is reached, credits run out or the turn budget ends.
import { BRIDGE_LIMITS, formatIssuePath, llmAgentConfigSchema, type LlmAgentConfig, type Prompt } from "../../shared/bridge";
import { abortableSleep } from "../abortable-sleep";
import { isBridgeError } from "../sdk";
import { aborted, completeRun, errorMessage, type PolicyContext, type PolicyResult } from "./context";
import { DECISION_FORMAT, readDecision, requestChatCompletion, type ChatEndpoint, type ChatMessage, type LlmDecision } from "./llm-chat";

export interface LlmPolicyContext extends PolicyContext {
  llm: { baseUrl?: string; apiKey?: string; model: string; fetch?: typeof fetch; timeoutMs?: number };
}

/** System prompt plus this many latest messages go to the model, to bound the request size. */
const CONVERSATION_WINDOW = 24;

export async function runLlmPolicy(ctx: LlmPolicyContext): Promise<PolicyResult> {
  const { client, run, signal } = ctx;
  if (!ctx.llm.baseUrl) {
    const message =
      "LLM_BASE_URL is not set: the llm policy needs an OpenAI-compatible chat-completions endpoint, " +
      "e.g. LLM_BASE_URL=http://localhost:11434/v1 (and LLM_API_KEY if it requires one).";
    await client.event("error", { message });
    return completeRun(ctx, "failed", "LLM_BASE_URL is not set");
  }

  const parsedConfig = llmAgentConfigSchema.safeParse(run.agentConfig);
  if (!parsedConfig.success) {
    const issue = parsedConfig.error.issues[0];
    const problem = `${formatIssuePath(["agentConfig", ...(issue?.path ?? [])])}: ${issue?.message ?? "invalid"}`;
    await client.event("error", { message: `Invalid llm configuration: ${problem}` });
    return completeRun(ctx, "failed", `invalid agentConfig: ${problem}`);
  }
  const config: LlmAgentConfig = parsedConfig.data;
  const endpoint: ChatEndpoint = {
    baseUrl: ctx.llm.baseUrl,
    model: ctx.llm.model,
    ...(ctx.llm.apiKey ? { apiKey: ctx.llm.apiKey } : {}),
    ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    ...(ctx.llm.fetch ? { fetch: ctx.llm.fetch } : {}),
    ...(ctx.llm.timeoutMs ? { timeoutMs: ctx.llm.timeoutMs } : {}),
  };

  const system: ChatMessage = { role: "system", content: systemPrompt(ctx) };
  const history: ChatMessage[] = [];
  let progress = run.currentProgress;
  let failures = 0;
  // A malformed reply or a failed call leaves the previous problem to explain in the next turn.
  let correction: string | undefined;

  for (let turn = 1; turn <= config.maxSteps; turn++) {
    if (turn > 1 && !(await pause(config.stepMs, signal))) return aborted();
    if (signal.aborted) return aborted();

    const prompts = await client.prompts({ waitSeconds: 0 });
    for (const prompt of prompts) await client.ack(prompt.id, "Passed to the model as an operator instruction.");

    if (config.creditsPerCall > 0) {
      try {
        await client.spendCredits(config.creditsPerCall, `llm call ${turn} (${endpoint.model})`);
      } catch (error) {
        if (!isBridgeError(error, "INSUFFICIENT_FUNDS")) throw error;
        await client.event("error", { message: `Out of credits before model call ${turn}: ${error.message}` });
        return completeRun(ctx, "failed", `out of credits after ${turn - 1} model call(s)`);
      }
    }

    history.push({ role: "user", content: turnMessage(ctx, progress, turn, config.maxSteps, prompts, correction) });
    correction = undefined;

    let reply: string;
    try {
      reply = await requestChatCompletion(endpoint, [system, ...history.slice(-CONVERSATION_WINDOW)], signal);
    } catch (error) {
      if (signal.aborted) return aborted();
      const result = await recordFailure(ctx, ++failures, config, `Model call ${turn} failed: ${errorMessage(error)}`);
      if (result) return result;
      continue;
    }
    history.push({ role: "assistant", content: reply.slice(0, BRIDGE_LIMITS.text) });

    const reading = readDecision(reply);
    if (!reading.ok) {
      correction = reading.problem;
      const result = await recordFailure(ctx, ++failures, config, `Malformed model reply in turn ${turn}: ${reading.problem}`);
      if (result) return result;
      continue;
    }
    failures = 0;

    const decision = reading.decision;
    await reportDecision(ctx, decision);
    if (decision.progressDelta !== 0) {
      const update = await client.progress(Math.max(0, progress + decision.progressDelta), decision.action.slice(0, BRIDGE_LIMITS.note));
      progress = update.currentProgress;
      if (update.reachedTarget) return completeRun(ctx, "succeeded", summaryOf(decision));
    }
    if (decision.done) return completeRun(ctx, decision.success ? "succeeded" : "failed", summaryOf(decision));
  }

  await client.event("error", { message: `No result after ${config.maxSteps} model calls (agentConfig.maxSteps).` });
  return completeRun(ctx, "failed", `gave up after ${config.maxSteps} model calls`);
}

function systemPrompt({ run }: PolicyContext): string {
  return [
    "You are an autonomous agent running inside a Paddock sandbox.",
    `Goal: ${run.goal}`,
    `Metric: ${run.metric}. Target value: ${run.targetValue}.`,
    "Each turn you get the current metric value and any operator instructions; follow the instructions.",
    `Answer with one JSON object only, exactly of this shape: ${DECISION_FORMAT}.`,
    "thought: your reasoning in one or two sentences. action: what you do now.",
    "progressDelta: how much this action changes the metric (0 if none).",
    "done: true when you are finished; success: whether the goal was reached.",
  ].join("\n");
}

function turnMessage(
  { run }: PolicyContext,
  progress: number,
  turn: number,
  maxTurns: number,
  prompts: Prompt[],
  correction: string | undefined,
): string {
  const lines = [`Turn ${turn} of ${maxTurns}. Current ${run.metric}: ${progress} (target ${run.targetValue}).`];
  if (correction) lines.push(`Your previous reply was rejected: ${correction}. Reply with the JSON object only.`);
  if (prompts.length > 0) {
    lines.push("Operator instructions (follow them):", ...prompts.map((p) => `- ${p.text}`));
  }
  return lines.join("\n");
}

async function reportDecision({ client }: PolicyContext, decision: LlmDecision): Promise<void> {
  const action = decision.action;
  await client.events([
    { kind: "thought", payload: { text: decision.thought.slice(0, BRIDGE_LIMITS.text) } },
    {
      kind: "action",
      payload: {
        name: action.slice(0, BRIDGE_LIMITS.name),
        ...(action.length > BRIDGE_LIMITS.name ? { detail: action.slice(0, BRIDGE_LIMITS.detail) } : {}),
      },
    },
  ]);
}

/** Records a failed turn; returns a result when the failure budget is spent. */
async function recordFailure(
  ctx: PolicyContext,
  failures: number,
  config: LlmAgentConfig,
  message: string,
): Promise<PolicyResult | undefined> {
  ctx.log(message);
  await ctx.client.event("error", { message: message.slice(0, BRIDGE_LIMITS.message) });
  if (failures < config.maxConsecutiveFailures) return undefined;
  return completeRun(ctx, "failed", `${failures} consecutive failed model turns; last: ${message}`.slice(0, BRIDGE_LIMITS.summary));
}

function summaryOf(decision: LlmDecision): string {
  return decision.thought.slice(0, BRIDGE_LIMITS.summary);
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return abortableSleep(ms, signal).then(
    () => true,
    () => false,
  );
}
