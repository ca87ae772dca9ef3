// One project: its brief, its SLA clocks at risk, its task board (live) and its pipelines with their step graphs.
import { useParams } from "react-router";
import { trpc } from "../trpc";
import { useDocumentTitle } from "../hooks/use-document-title";
import { ErrorState, Loading } from "../components/states";
import { TaskBoard } from "../components/task-board";
import { ProjectPipelines } from "../components/project-pipelines";
import { SlaPanel } from "../components/sla-panel";
import { useLiveWorkspace } from "../live/use-live-workspace";

export function ProjectPage() {
  const { id = "" } = useParams();
  const project = trpc.project.get.useQuery({ id });
  useDocumentTitle(project.data?.name ?? "Project");
  useLiveWorkspace(project.data?.workspaceId);
  if (project.isPending) return <Loading />;
  if (project.isError) return <ErrorState error={project.error} title="Project not found" />;
  return (
    <div className="project-section">
      <header className="page-head">
        <h1>{project.data.name}</h1>
        {project.data.brief && <p className="muted">{project.data.brief}</p>}
      </header>
      <SlaPanel workspaceId={project.data.workspaceId} projectId={id} />
      <section className="project-section" aria-label="Task board">
        <h2>Task board</h2>
        <TaskBoard projectId={id} />
      </section>
      <ProjectPipelines projectId={id} />
    </div>
  );
}
