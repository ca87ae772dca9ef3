// Account: balance, the ledger history, bets with profit/loss, personal API tokens.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { trpc } from "../trpc";
import { useMe } from "../hooks/use-me";
import { useNow } from "../hooks/use-now";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { FormError } from "../components/field";
import { errorMessage, fieldErrors, formError } from "../lib/errors";
import { formatAgo, formatCents, formatDateTime, formatMultiplier } from "../lib/format";
import { AddCredits, StripeEvents } from "./billing";

const KIND_LABEL: Record<string, string> = {
  signup_grant: "Welcome grant",
  topup: "Top-up",
  bet: "Bet",
  payout: "Payout",
  refund: "Refund",
  rake: "Rake",
  credit_budget: "Run credits",
  credit_injection: "Credits injected",
  credit_spend: "Credits spent",
  credit_return: "Credits returned",
  adjustment: "Adjustment",
};

function Ledger() {
  const ledger = trpc.user.ledger.useInfiniteQuery({ limit: 25 }, { getNextPageParam: (last) => last.nextCursor ?? undefined });
  if (ledger.isPending) return <Loading label="Loading history…" />;
  if (ledger.isError) return <ErrorState error={ledger.error} retry={() => void ledger.refetch()} />;
  const items = ledger.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty title="No money movements yet" />;
  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="ledger">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th className="hide-sm">Memo</th>
              <th className="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td className="muted nowrap">{formatDateTime(e.createdAt)}</td>
                <td>{KIND_LABEL[e.kind] ?? e.kind}</td>
                <td className="hide-sm muted ellipsis">{e.memo ?? ""}</td>
                <td className={`num ${e.amount > 0 ? "gain" : "loss"}`}>
                  {e.amount > 0 ? "+" : ""}
                  {formatCents(e.amount)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {ledger.hasNextPage && (
        <div className="center">
          <button type="button" className="btn btn-ghost" onClick={() => void ledger.fetchNextPage()} disabled={ledger.isFetchingNextPage}>
            {ledger.isFetchingNextPage ? <Spinner /> : "Older entries"}
          </button>
        </div>
      )}
    </>
  );
}

function Bets() {
  const bets = trpc.betting.myBets.useQuery({});
  if (bets.isPending) return <Loading label="Loading bets…" />;
  if (bets.isError) return <ErrorState error={bets.error} retry={() => void bets.refetch()} />;
  const { items, totals } = bets.data;
  if (items.length === 0) {
    return (
      <Empty
        title="No bets yet"
        action={
          <Link to="/" className="btn">
            Find a run in the arena
          </Link>
        }
      >
        Back an agent (or bet against it) from any live run.
      </Empty>
    );
  }
  return (
    <>
      <dl className="pool-stats">
        <div>
          <dt>Open exposure</dt>
          <dd>{formatCents(totals.openExposure)}</dd>
        </div>
        <div>
          <dt>Settled P/L</dt>
          <dd className={totals.realizedPnl > 0 ? "gain" : totals.realizedPnl < 0 ? "loss" : ""} data-testid="bets-pl">
            {totals.realizedPnl > 0 ? "+" : ""}
            {formatCents(totals.realizedPnl)}
          </dd>
        </div>
        <div>
          <dt>Wagered</dt>
          <dd>{formatCents(totals.wagered)}</dd>
        </div>
      </dl>
      <div className="table-wrap">
        <table className="table" data-testid="my-bets-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Side</th>
              <th className="num">Stake</th>
              <th className="num hide-sm">Odds</th>
              <th className="num">Result</th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id}>
                <td className="ellipsis">
                  <Link to={`/runs/${b.runId}`}>{b.goal}</Link>
                </td>
                <td>
                  <span className={`side-tag ${b.side}`}>{b.side.toUpperCase()}</span>
                </td>
                <td className="num">{formatCents(b.amount)}</td>
                <td className="num hide-sm">{formatMultiplier(b.oddsAtPlacement)}</td>
                <td className="num">
                  {b.profit === null ? (
                    <span className="muted">{b.poolStatus === "locked" ? "locked" : "open"}</span>
                  ) : (
                    <span className={b.profit > 0 ? "gain" : b.profit < 0 ? "loss" : ""} title={b.state}>
                      {b.state === "refunded" ? "refunded" : `${b.profit > 0 ? "+" : ""}${formatCents(b.profit)}`}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const TOKEN_EXPIRY_CHOICES: Array<[string, string]> = [
  ["30", "Expires in 30 days"],
  ["90", "Expires in 90 days"],
  ["365", "Expires in a year"],
  ["", "Never expires"],
];

function tokenExpiry(expiresAt: Date | string | null, now: number): string {
  if (!expiresAt) return "never expires";
  const at = new Date(expiresAt);
  return `${at.getTime() <= now ? "expired" : "expires"} ${formatAgo(at, now)} (${formatDateTime(at)})`;
}

function ApiTokens() {
  const now = useNow();
  const utils = trpc.useUtils();
  const tokens = trpc.user.apiTokens.useQuery();
  const create = trpc.user.createApiToken.useMutation({ onSuccess: () => void utils.user.apiTokens.invalidate() });
  const revoke = trpc.user.revokeApiToken.useMutation({ onSuccess: () => void utils.user.apiTokens.invalidate() });
  const [name, setName] = useState("");
  const [expiresInDays, setExpiresInDays] = useState("90");
  const [fresh, setFresh] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [nameError, setNameError] = useState<string>();

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    setNameError(undefined);
    try {
      const created = await create.mutateAsync({ name, ...(expiresInDays ? { expiresInDays: Number(expiresInDays) } : {}) });
      setFresh({ name: created.name, token: created.token });
      setCopied(false);
      setName("");
    } catch (err) {
      setNameError(fieldErrors(err).name ?? errorMessage(err));
    }
  };

  return (
    <>
      <form className="inline-form" onSubmit={(e) => void onCreate(e)} noValidate>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Token name, e.g. laptop CLI"
          aria-label="Token name"
          aria-invalid={Boolean(nameError)}
          maxLength={80}
        />
        <select value={expiresInDays} onChange={(e) => setExpiresInDays(e.target.value)} aria-label="Token expiry">
          {TOKEN_EXPIRY_CHOICES.map(([days, label]) => (
            <option key={label} value={days}>
              {label}
            </option>
          ))}
        </select>
        <button type="submit" className="btn" disabled={create.isPending}>
          {create.isPending ? <Spinner /> : "Create token"}
        </button>
      </form>
      {nameError && <p className="field-error">Name {nameError}</p>}
      {fresh && (
        <div className="token-reveal" role="status">
          <p>
            <strong>{fresh.name}</strong>: copy it now — it will not be shown again.
          </p>
          <div className="token-row">
            <code data-testid="new-token">{fresh.token}</code>
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => void navigator.clipboard?.writeText(fresh.token).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      )}
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <p className="muted small">
          No API tokens yet. Scripts use one as <code>Authorization: Bearer …</code> for tRPC and Socket.IO.
        </p>
      ) : (
        <ul className="token-list">
          {tokens.data.map((t) => (
            <li key={t.id} className={t.revokedAt ? "revoked" : ""}>
              <div>
                <strong>{t.name}</strong> <code>{t.prefix}…</code>
                <div className="muted small">
                  created {formatAgo(t.createdAt, now)} · {t.lastUsedAt ? `used ${formatAgo(t.lastUsedAt, now)}` : "never used"}
                  {t.revokedAt ? ` · revoked ${formatAgo(t.revokedAt, now)}` : ""}
                  {!t.revokedAt && <span data-testid="token-expiry"> · {tokenExpiry(t.expiresAt, now)}</span>}
                </div>
              </div>
              {!t.revokedAt && (
                <button
                  type="button"
                  className="btn btn-ghost btn-danger-text btn-sm"
                  onClick={() => revoke.mutate({ id: t.id })}
                  disabled={revoke.isPending}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError message={revoke.error ? formError(revoke.error) : undefined} />
    </>
  );
}

export function AccountPage() {
  useDocumentTitle("Account");
  const { user } = useMe();
  if (!user) return <Loading />;
  return (
    <div className="account">
      <div className="page-head">
        <div>
          <h1>{user.name}</h1>
          <p className="muted">
            {user.email} · {user.role}
          </p>
        </div>
        <div className="balance-big" data-testid="account-balance">
          <span className="muted small">Balance</span>
          <strong>{formatCents(user.balance)}</strong>
        </div>
      </div>
      <AddCredits />
      <div className="two-col">
        <section className="card">
          <div className="card-head">
            <h2>Bets</h2>
          </div>
          <Bets />
        </section>
        <section className="card">
          <div className="card-head">
            <h2>API tokens</h2>
          </div>
          <ApiTokens />
        </section>
      </div>
      <section className="card">
        <div className="card-head">
          <h2>History</h2>
        </div>
        <Ledger />
      </section>
      {user.role === "admin" && <StripeEvents />}
    </div>
  );
}
