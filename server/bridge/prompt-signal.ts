// Wakes agents long-polling for prompts when one is submitted (server/bridge/wake-signal.ts).
import { closeAllWakeSignals, createWakeSignal, releaseAllLongPolls } from "./wake-signal";

const prompts = createWakeSignal("prompts");

export async function signalPrompt(sandboxId: string): Promise<void> {
  await prompts.signal(sandboxId);
}

/** See WakeSignal.listen: resolves on a prompt for the run, the timeout, or abort; null while shutting down. */
export async function listenForPrompt(sandboxId: string, timeoutMs: number, signal: AbortSignal) {
  return prompts.listen(sandboxId, timeoutMs, signal);
}

/** Shutdown: every held long-poll (prompts and agents' task polls) answers now, new ones at once. */
export function releasePromptPolls(): void {
  releaseAllLongPolls();
}

export async function closePromptSignals(): Promise<void> {
  await closeAllWakeSignals();
}
