// A task's priority, 1 (lowest) … 5 (highest): derived from its project's deadline and its type,
// unless a person set it (priorityOverride). Revisions are always 5: someone is waiting on them.
export const TASK_PRIORITY_MIN = 1;
export const TASK_PRIORITY_MAX = 5;
export const DEFAULT_TASK_PRIORITY = 3;

const DAY_MS = 24 * 3600 * 1000;

export function derivePriority(input: { type: string; deadline: Date | null; now: Date }): number {
  if (input.type === "revision") return 5;
  if (!input.deadline) return DEFAULT_TASK_PRIORITY;
  const left = input.deadline.getTime() - input.now.getTime();
  if (left <= DAY_MS) return 5; // due within a day, or overdue
  if (left <= 3 * DAY_MS) return 4;
  if (left <= 14 * DAY_MS) return 3;
  if (left <= 60 * DAY_MS) return 2;
  return 1;
}
