// Wakes agents long-polling for prompts when one is submitted (server/bridge/wake-signal.ts).
import { closeAllWakeSignals, createWakeSignal, releaseAllLongPolls } from "./wake-signal";

const prompts = createWakeSignal("prompts");

export async function signalPrompt(runId: string): Promise<void> {
  await prompts.signal(runId);
}

/** See WakeSignal.listen: resolves on a prompt for the run, the timeout, or abort; null while shutting down. */
export async function listenForPrompt(runId: string, timeoutMs: number, signal: AbortSignal) {
  return prompts.listen(runId, timeoutMs, signal);
}

/** Shutdown: every held long-poll (prompts and agents' task polls) answers now, new ones at once. */
export function releasePromptPolls(): void {
  releaseAllLongPolls();
}

export async function closePromptSignals(): Promise<void> {
  await closeAllWakeSignals();
}
