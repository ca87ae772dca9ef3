// What else follows a change of tasks, beyond its own effects: pipelines advance when one of their
// steps' tasks changes. afterTaskChanges and afterAttemptFinished (commands/task-effects.ts) run these after task changes;
// the pipeline module registers its own when loaded (server/jobs/pipelines/pipeline-flow.ts, which
// both the API's routers and the worker's job registry import). A list of functions called in the
// same process, after the change has committed — not an event bus: nothing is lost if a process
// dies, since every hook's work is also done by its module's backstop sweep.
import type { TaskChange } from "../domain/tasks/tasks";

type TaskChangeHook = (changes: TaskChange[]) => Promise<void>;
const hooks: TaskChangeHook[] = [];

export function onTaskChanges(hook: TaskChangeHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function runTaskChangeHooks(changes: TaskChange[]): Promise<void> {
  if (changes.length === 0) return;
  for (const hook of hooks) await hook(changes);
}
