// Entry point of the reference agent inside a sandbox (bundled to agent.mjs by bundle.ts and
// started with `node agent.mjs`). It reads its run from the bridge and hands over to the policy
// named by PADDOCK_POLICY. The run's agentConfig comes from GET /run rather than
// PADDOCK_AGENT_CONFIG, so a restarted agent sees the server's current view of the run.
//
// Exit codes: 0 the run was handled (whatever its outcome), 1 the agent crashed, 2 the
// environment is invalid, 143 stopped by SIGTERM/SIGINT.
import { BRIDGE_LIMITS, BRIDGE_LLM_PATH, parseAgentEnv, type AgentEnv, type AgentPolicy, type RunInfo } from "../shared/bridge";
import { isTerminalRun } from "../shared/run-status";
import { PaddockAgentClient, isBridgeError } from "./sdk";
import { errorMessage, type PolicyContext, type PolicyResult } from "./policies/context";
import { runDemoPolicy } from "./policies/demo";
import { runLlmPolicy } from "./policies/llm";
import path from "node:path";

/** Relative to the sandbox's working directory; the demo agents' verifier counts its files. */
const RESULTS_DIR = "results";
const EXIT_CRASHED = 1;
const EXIT_BAD_ENV = 2;
const EXIT_SIGNALED = 143;
/** After SIGTERM the agent gets this long to finish its current request before it is cut off. */
const SHUTDOWN_GRACE_MS = 3_000;

const log = (line: string) => process.stdout.write(`[paddock-agent] ${line}\n`);

async function main(): Promise<number> {
  let env: AgentEnv;
  try {
    env = parseAgentEnv(process.env);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    return EXIT_BAD_ENV;
  }

  const shutdown = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.signal.aborted) process.exit(EXIT_SIGNALED); // second signal: stop waiting
    log(`received ${signal}, stopping`);
    shutdown.abort(new Error(`received ${signal}`));
    setTimeout(() => process.exit(EXIT_SIGNALED), SHUTDOWN_GRACE_MS).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const client = new PaddockAgentClient({ baseUrl: env.PADDOCK_BRIDGE_URL, token: env.PADDOCK_TOKEN, signal: shutdown.signal });
  try {
    const run = await client.run();
    if (isTerminalRun(run.status)) {
      log(`run ${run.id} has already ended (${run.status}); nothing to do`);
      return 0;
    }
    const policy = choosePolicy(env, run);
    log(`run ${run.id}: policy ${policy}, goal ${JSON.stringify(run.goal)}, target ${run.metric} = ${run.targetValue}`);
    const ctx: PolicyContext = { client, run, signal: shutdown.signal, log, resultsDir: path.resolve(RESULTS_DIR) };
    const result: PolicyResult =
      policy === "llm"
        ? await runLlmPolicy({
            ...ctx,
            llm: {
              baseUrl: `${env.PADDOCK_BRIDGE_URL}${BRIDGE_LLM_PATH}`,
              apiKey: env.PADDOCK_TOKEN,
              model: env.PADDOCK_MODEL ?? run.model,
            },
          })
        : await runDemoPolicy(ctx);
    return result.outcome === "aborted" ? EXIT_SIGNALED : 0;
  } catch (error) {
    if (shutdown.signal.aborted) return EXIT_SIGNALED;
    process.stderr.write(`[paddock-agent] crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await reportCrash(client, error);
    return EXIT_CRASHED;
  }
}

function choosePolicy(env: AgentEnv, run: RunInfo): AgentPolicy {
  if (env.PADDOCK_POLICY) return env.PADDOCK_POLICY;
  return run.policy === "llm" ? "llm" : "demo";
}

/** Best effort: leave an error event and a failed completion so the run does not just go idle. */
async function reportCrash(client: PaddockAgentClient, error: unknown): Promise<void> {
  // 401/403/409 mean the token is revoked or the run has ended: nothing left to report to.
  if (isBridgeError(error) && [401, 403, 409].includes(error.status)) return;
  const message = errorMessage(error).slice(0, BRIDGE_LIMITS.message) || "unknown error";
  try {
    const stack = error instanceof Error ? error.stack?.slice(0, BRIDGE_LIMITS.stack) : undefined;
    await client.event("error", { message, ...(stack ? { stack } : {}) });
    await client.complete("failed", `agent crashed: ${message}`.slice(0, BRIDGE_LIMITS.summary));
  } catch (reportError) {
    process.stderr.write(`[paddock-agent] could not report the crash: ${errorMessage(reportError)}\n`);
  }
}

process.exitCode = await main();
