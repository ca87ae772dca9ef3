// The minimal context snapshot an attempt is given, built in SQL so a claim stays one statement:
// the task itself, its project's brief, and the results of the tasks it depends on — nothing else
// (no sibling task, no other project). Stored on the attempt (contextSnapshot) so it can be read later.
// `t` is the task's row (alias given), `attemptNumber` an SQL expression.
export function contextSnapshotSql(t: string, attemptNumber: string): string {
  const iso = (col: string) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `jsonb_build_object(
    'task', jsonb_build_object(
      'id', ${t}.id, 'title', ${t}.title, 'description', ${t}.description, 'type', ${t}.type,
      'tags', to_jsonb(coalesce(${t}.tags, ARRAY[]::text[])), 'requiredSpecialization', ${t}."requiredSpecialization",
      'priority', ${t}.priority, 'metric', ${t}.metric, 'targetValue', ${t}."targetValue", 'attempt', ${attemptNumber}),
    'project', (SELECT jsonb_build_object('id', p.id, 'name', p.name, 'brief', p.brief, 'deadline', ${iso("p.deadline")})
                  FROM projects p WHERE p.id = ${t}."projectId"),
    'dependencies', coalesce((
      SELECT jsonb_agg(jsonb_build_object('taskId', d.id, 'title', d.title, 'summary', d."resultSummary",
                                          'output', d."resultOutput", 'artifacts', d."resultArtifacts") ORDER BY d."createdAt", d.id)
        FROM task_dependencies td JOIN tasks d ON d.id = td."dependsOnId"
       WHERE td."taskId" = ${t}.id), '[]'::jsonb))`;
}

/** The shape of contextSnapshot. */
export interface ContextSnapshot {
  task: {
    id: string;
    title: string;
    description: string;
    type: string;
    tags: string[];
    requiredSpecialization: string | null;
    priority: number;
    metric: string;
    targetValue: number;
    attempt: number;
  };
  project: { id: string; name: string; brief: string; deadline: string | null };
  dependencies: { taskId: string; title: string; summary: string | null; output: unknown; artifacts: unknown }[];
}

/** SQL ORDER BY list of the ready queue: highest priority first, then oldest — the order of its index (tasks_ready_queue_idx). */
export const queueOrderSql = (t: string) => `${t}.priority DESC, ${t}."createdAt", ${t}.id`;

/** SQL condition: every task `t` depends on is done. */
export const dependenciesDoneSql = (t: string) =>
  `NOT EXISTS (SELECT 1 FROM task_dependencies dd JOIN tasks dt ON dt.id = dd."dependsOnId" WHERE dd."taskId" = ${t}.id AND dt.status <> 'done')`;
