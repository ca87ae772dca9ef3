// Billing: "Add credits" on the account page (Stripe Checkout for a credit pack; the balance
// updates live when Stripe's webhook lands), and a workspace's billing page (plan, usage against
// its limits, invoices, subscribe or manage the subscription in Stripe's portal). Hidden when the
// server says billing is not configured.
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { PAID_PLAN_IDS, type PaidPlanId } from "@shared/billing";
import { billingRefusal } from "@shared/workspace-rules";
import { trpc } from "../trpc";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { FormError } from "../components/field";
import { errorMessage } from "../lib/errors";
import { formatCents, formatDateTime } from "../lib/format";

/** Real money in the billing currency (play-money credits use formatCents). */
function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
}

/** Sends the browser to a Stripe page (Checkout or the portal). */
function goTo(url: string) {
  window.location.assign(url);
}

export function AddCredits() {
  const status = trpc.billing.status.useQuery();
  const packs = trpc.billing.packs.useQuery(undefined, { enabled: status.data?.configured === true });
  const checkout = trpc.billing.createCheckout.useMutation({ onSuccess: (s) => goTo(s.url) });
  const [params] = useSearchParams();
  const [open, setOpen] = useState(false);
  if (!status.data?.configured) return null;
  const returned = params.get("topup");
  return (
    <section className="card" data-testid="add-credits">
      <div className="card-head">
        <h2>Add credits</h2>
        {!open && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setOpen(true)}>
            Add credits
          </button>
        )}
      </div>
      {status.data.overdrawn && (
        <p className="field-error" role="alert">
          A Stripe refund or dispute took back credits you had spent: your balance is below zero. Betting and launching resume once it is
          back at zero.
        </p>
      )}
      {returned === "success" && <p role="status">Payment received: your balance updates as soon as Stripe confirms it.</p>}
      {returned === "canceled" && <p className="muted small">Checkout canceled; nothing was charged.</p>}
      {open &&
        (packs.isPending ? (
          <Loading />
        ) : packs.isError ? (
          <ErrorState error={packs.error} retry={() => void packs.refetch()} />
        ) : (
          <ul className="token-list" data-testid="credit-packs">
            {packs.data.packs.map((pack) => (
              <li key={pack.id}>
                <div>
                  <strong>{pack.name}</strong> · {formatCents(pack.credits)} of credits
                  <div className="muted small">{formatMoney(pack.priceCents, packs.data.currency)}, paid through Stripe</div>
                </div>
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={checkout.isPending}
                  onClick={() => checkout.mutate({ packId: pack.id })}
                >
                  {checkout.isPending && checkout.variables?.packId === pack.id ? <Spinner /> : "Buy"}
                </button>
              </li>
            ))}
          </ul>
        ))}
      <FormError message={checkout.error ? errorMessage(checkout.error) : undefined} />
    </section>
  );
}

/** Admins: the Stripe webhook events Paddock stored, newest first, with what each did. */
export function StripeEvents() {
  const events = trpc.billing.events.useInfiniteQuery({ limit: 20 }, { getNextPageParam: (last) => last.nextCursor ?? undefined });
  if (events.isPending) return <Loading />;
  if (events.isError) return <ErrorState error={events.error} retry={() => void events.refetch()} />;
  const items = events.data.pages.flatMap((p) => p.items);
  return (
    <section className="card">
      <div className="card-head">
        <h2>Stripe events</h2>
      </div>
      {items.length === 0 ? (
        <p className="muted small">No Stripe webhook events yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="stripe-events">
            <thead>
              <tr>
                <th>Processed</th>
                <th>Type</th>
                <th>Result</th>
                <th className="hide-sm">Detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td className="muted nowrap" title={e.id}>
                    {formatDateTime(e.processedAt ?? e.receivedAt)}
                  </td>
                  <td>{e.type}</td>
                  <td>{e.result}</td>
                  <td className="hide-sm muted ellipsis">{e.detail ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <div className="center">
          <button type="button" className="btn btn-ghost" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
            {events.isFetchingNextPage ? <Spinner /> : "Older events"}
          </button>
        </div>
      )}
    </section>
  );
}

function Usage({ used, max, label }: { used: number; max: number; label: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={used >= max ? "loss" : ""} title={`${used} of ${max} in use`}>
        {used} of {max}
      </dd>
    </div>
  );
}

export function WorkspaceBillingPage() {
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const ws = trpc.workspace.get.useQuery({ id });
  const billing = trpc.billing.workspace.useQuery(
    { workspaceId: id },
    { refetchInterval: params.get("checkout") === "success" ? 3_000 : false },
  );
  const subscribe = trpc.billing.subscribe.useMutation({ onSuccess: (s) => goTo(s.url) });
  const portal = trpc.billing.portal.useMutation({ onSuccess: (s) => goTo(s.url) });
  useDocumentTitle(ws.data ? `${ws.data.name} · Billing` : "Billing");

  if (ws.isPending || billing.isPending) return <Loading />;
  if (ws.isError) return <ErrorState error={ws.error} title="Workspace not found" />;
  if (billing.isError) return <ErrorState error={billing.error} retry={() => void billing.refetch()} />;
  const b = billing.data;
  const canManage = billingRefusal(ws.data.role) === null;
  const pending = subscribe.isPending || portal.isPending;

  return (
    <div className="account" data-testid="workspace-billing">
      <div className="page-head">
        <div>
          <h1>{ws.data.name}: billing</h1>
          <p className="muted">
            <Link to={`/workspaces/${id}`}>Back to the workspace</Link>
          </p>
        </div>
        <div className="balance-big">
          <span className="muted small">Plan</span>
          <strong data-testid="current-plan">{b.plan.name}</strong>
        </div>
      </div>
      {!b.configured && (
        <section className="card">
          <Empty title="Billing is not configured">
            This Paddock has no Stripe account set up (STRIPE_SECRET_KEY), so plans cannot be bought and no plan limit applies.
          </Empty>
        </section>
      )}
      {params.get("checkout") === "success" && b.plan.id === "free" && (
        <p role="status">Subscription paid: the plan changes here as soon as Stripe confirms it.</p>
      )}
      <div className="two-col">
        <section className="card">
          <div className="card-head">
            <h2>Plan and usage</h2>
            {b.status && <span className="muted small">subscription {b.status.replace("_", " ")}</span>}
          </div>
          <dl className="pool-stats">
            <Usage label="Live runs" used={b.usage.liveRuns} max={b.plan.liveRuns} />
            <div>
              <dt>Deliverables a month</dt>
              <dd>{b.plan.deliverablesPerMonth}</dd>
            </div>
            <div>
              <dt>Revisions per deliverable</dt>
              <dd>{b.plan.revisionsPerDeliverable}</dd>
            </div>
          </dl>
          {b.currentPeriodEnd && (
            <p className="muted small">
              {b.cancelAtPeriodEnd ? "Ends" : "Renews"} {formatDateTime(b.currentPeriodEnd)}
            </p>
          )}
          {canManage && b.configured && b.hasCustomer && (
            <div className="form-actions">
              <button type="button" className="btn" disabled={pending} onClick={() => portal.mutate({ workspaceId: id })}>
                {portal.isPending ? <Spinner /> : "Manage subscription"}
              </button>
            </div>
          )}
          {!canManage && <p className="muted small">Only the workspace&apos;s owners and admins change its plan.</p>}
        </section>
        <section className="card">
          <div className="card-head">
            <h2>Plans</h2>
          </div>
          <ul className="token-list" data-testid="plans">
            {b.plans.map((plan) => (
              <li key={plan.id}>
                <div>
                  <strong>{plan.name}</strong> · {plan.priceCents ? `${formatMoney(plan.priceCents, b.currency)} a month` : "free"}
                  <div className="muted small">
                    {plan.liveRuns} live runs · {plan.deliverablesPerMonth} deliverables a month · {plan.revisionsPerDeliverable} revisions
                    each
                  </div>
                </div>
                {plan.id === b.plan.id ? (
                  <span className="muted small">current</span>
                ) : (
                  canManage &&
                  b.configured &&
                  b.plan.id === "free" &&
                  (PAID_PLAN_IDS as readonly string[]).includes(plan.id) && (
                    <button
                      type="button"
                      className="btn btn-sm"
                      disabled={pending}
                      onClick={() => subscribe.mutate({ workspaceId: id, plan: plan.id as PaidPlanId })}
                    >
                      {subscribe.isPending && subscribe.variables?.plan === plan.id ? <Spinner /> : "Subscribe"}
                    </button>
                  )
                )}
              </li>
            ))}
          </ul>
          {canManage && b.plan.id !== "free" && <p className="muted small">Change or cancel the plan with Manage subscription.</p>}
          <FormError message={subscribe.error ? errorMessage(subscribe.error) : portal.error ? errorMessage(portal.error) : undefined} />
        </section>
      </div>
      {canManage && (
        <section className="card">
          <div className="card-head">
            <h2>Invoices</h2>
          </div>
          {b.invoices.length === 0 ? (
            <p className="muted small">No invoices yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="invoices">
                <thead>
                  <tr>
                    <th>Issued</th>
                    <th>Number</th>
                    <th>Status</th>
                    <th className="num">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {b.invoices.map((inv) => (
                    <tr key={inv.id}>
                      <td className="muted nowrap">{formatDateTime(inv.issuedAt)}</td>
                      <td>
                        {inv.hostedUrl ? (
                          <a href={inv.hostedUrl} target="_blank" rel="noreferrer">
                            {inv.number ?? inv.id}
                          </a>
                        ) : (
                          (inv.number ?? inv.id)
                        )}
                      </td>
                      <td>{inv.status}</td>
                      <td className="num">{formatMoney(inv.status === "paid" ? inv.amountPaid : inv.amountDue, inv.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
