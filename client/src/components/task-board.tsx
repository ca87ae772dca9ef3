// A project's tasks as a kanban board, one column per status (shared/task-rules.ts), kept live by
// task:update (use-live-workspace.ts).
import { Link } from "react-router";
import { TASK_STATUSES } from "@shared/task-rules";
import { trpc } from "../trpc";
import { ErrorState, Loading } from "./states";

const COLUMN_LABEL: Record<(typeof TASK_STATUSES)[number], string> = {
  backlog: "Backlog",
  ready: "Ready",
  running: "Running",
  review: "Review",
  done: "Done",
  failed: "Failed",
  canceled: "Canceled",
};

export function TaskBoard({ projectId }: { projectId: string }) {
  const tasks = trpc.task.list.useQuery({ projectId, limit: 500 });
  if (tasks.isPending) return <Loading />;
  if (tasks.isError) return <ErrorState error={tasks.error} retry={() => void tasks.refetch()} />;
  return (
    <div className="kanban" data-testid="task-board">
      {TASK_STATUSES.map((status) => {
        const column = tasks.data.filter((t) => t.status === status);
        return (
          <section
            key={status}
            className="kanban-column"
            aria-label={`${COLUMN_LABEL[status]}: ${column.length}`}
            data-testid={`column-${status}`}
          >
            <h3 className="small">
              {COLUMN_LABEL[status]} <span className="muted">{column.length}</span>
            </h3>
            <ul>
              {column.map((t) => (
                <li key={t.id} className="kanban-card" data-testid="task-card" data-task={t.id} data-status={t.status}>
                  <Link to={`/tasks/${t.id}`}>{t.title}</Link>
                  <span className="muted small">
                    P{t.priority}
                    {t.requiredSpecialization ? ` · ${t.requiredSpecialization}` : ""}
                    {t.attemptCount > 0 ? ` · ${t.attemptCount} attempt${t.attemptCount > 1 ? "s" : ""}` : ""}
                    {t.stepKey ? ` · step ${t.stepKey}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
