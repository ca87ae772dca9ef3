// Projects: the current workspace's projects, and a new one.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { trpc } from "../trpc";
import { useCurrentWorkspace } from "../hooks/use-workspace";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Field, FormError } from "../components/field";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { errorMessage, fieldErrors } from "../lib/errors";
import { formatDateTime } from "../lib/format";

function CreateProject({ workspaceId }: { workspaceId: string }) {
  const utils = trpc.useUtils();
  const create = trpc.project.create.useMutation();
  const [name, setName] = useState("");
  const [brief, setBrief] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(undefined);
    try {
      await create.mutateAsync({ workspaceId, name, brief });
      setName("");
      setBrief("");
      await utils.project.list.invalidate();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
    }
  };
  return (
    <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New project">
      <h2>New project</h2>
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Brief" error={errors.brief} hint="The context every task of the project may see.">
        {(p) => <textarea {...p} rows={3} value={brief} onChange={(e) => setBrief(e.target.value)} />}
      </Field>
      <FormError message={error} />
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        {create.isPending ? <Spinner /> : "Create project"}
      </button>
    </form>
  );
}

export function ProjectsPage() {
  useDocumentTitle("Projects");
  const { current } = useCurrentWorkspace();
  const projects = trpc.project.list.useQuery({ workspaceId: current?.id ?? "", includeArchived: false }, { enabled: Boolean(current) });
  return (
    <div className="project-section">
      <header className="page-head">
        <h1>Projects</h1>
        <p className="muted">Break work into tasks and pipelines; Paddock dispatches each ready task to the best agent.</p>
      </header>
      <div className="two-col">
        <section className="card" aria-label="Projects">
          {!current || projects.isPending ? (
            <Loading />
          ) : projects.isError ? (
            <ErrorState error={projects.error} retry={() => void projects.refetch()} />
          ) : projects.data.length === 0 ? (
            <Empty title="No projects yet">Create one to start a pipeline or add tasks.</Empty>
          ) : (
            <ul className="token-list" data-testid="project-list">
              {projects.data.map((p) => (
                <li key={p.id}>
                  <div>
                    <strong>
                      <Link to={`/projects/${p.id}`}>{p.name}</Link>
                    </strong>
                    <p className="muted small">
                      {p.status} · created {formatDateTime(p.createdAt)}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        {current && <CreateProject workspaceId={current.id} />}
      </div>
    </div>
  );
}
