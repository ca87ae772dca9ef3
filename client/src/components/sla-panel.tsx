// The SLA clocks at risk and breached (sla.atRisk), the most urgent first, kept live by sla:alert
// (use-live-deliverables.ts). On the review queue (the whole workspace) and on a project's page
// (that project's clocks only).
import { Link } from "react-router";
import { trpc } from "../trpc";
import { useLiveDeliverables } from "../live/use-live-deliverables";
import { ErrorState, Loading } from "./states";
import { SlaChip } from "./deliverable-bits";

export function SlaPanel({ workspaceId, projectId }: { workspaceId: string; projectId?: string }) {
  useLiveDeliverables(workspaceId);
  const clocks = trpc.sla.atRisk.useQuery({ workspaceId });
  const rows = clocks.data?.filter((c) => !projectId || c.projectId === projectId) ?? [];
  return (
    <section className="card sla-panel" aria-label="SLAs at risk" data-testid="sla-panel">
      <div className="card-head">
        <h2>SLAs at risk</h2>
        {clocks.data && <span className="muted small">{rows.length}</span>}
      </div>
      {clocks.isPending ? (
        <Loading />
      ) : clocks.isError ? (
        <ErrorState error={clocks.error} retry={() => void clocks.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted small">Every clock is on track.</p>
      ) : (
        <ul className="sla-list">
          {rows.map((c) => (
            <li key={c.id} data-testid="sla-row" data-state={c.state}>
              <Link to={`/deliverables/${c.deliverableId}`}>{c.deliverableTitle}</Link>
              {!projectId && <span className="muted small">{c.projectName}</span>}
              <SlaChip sla={c} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
