// The frame of every signed-in page: brand, navigation, live connection, balance, sign-out.
import { PaddockLogo } from "./logo";
import { NavLink, Outlet, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useState } from "react";
import { useMe } from "../hooks/use-me";
import { formatCents } from "../lib/format";
import { signOut } from "../lib/auth";
import { disconnectSocket, useConnectionState } from "../live/socket";
import { clearFeedStores } from "../live/feed-store";
import { Loading } from "./states";
import { useCurrentWorkspace } from "../hooks/use-workspace";

const CONNECTION_LABEL = {
  idle: "Offline",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  unauthorized: "Signed out",
} as const;

function ConnectionPill() {
  const state = useConnectionState();
  return (
    <span className={`conn conn-${state}`} data-testid="connection-status" data-state={state} title="Live updates">
      <span className="conn-dot" aria-hidden />
      <span className="conn-label">{CONNECTION_LABEL[state]}</span>
    </span>
  );
}

function WorkspaceSwitcher() {
  const { workspaces, current, select } = useCurrentWorkspace();
  if (!current) return null;
  return (
    <select
      className="workspace-switcher"
      aria-label="Current workspace"
      data-testid="workspace-switcher"
      value={current.id}
      onChange={(e) => select(e.target.value)}
    >
      {workspaces.map((w) => (
        <option key={w.id} value={w.id}>
          {w.personal ? "Personal" : w.name}
        </option>
      ))}
    </select>
  );
}

export function Shell() {
  const { user } = useMe();
  const { isClient } = useCurrentWorkspace();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [signingOut, setSigningOut] = useState(false);

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      disconnectSocket();
      clearFeedStores();
      queryClient.clear();
      setSigningOut(false);
      void navigate("/signin", { replace: true });
    }
  };

  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Paddock arena">
          <PaddockLogo size={26} />
          <span>Paddock</span>
        </NavLink>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end>
            Arena
          </NavLink>
          <NavLink to="/launch">Launch</NavLink>
          <NavLink to="/compare">Compare</NavLink>
          <NavLink to="/projects">Projects</NavLink>
          <NavLink to="/agents">Agents</NavLink>
          {/* Every member reads the queue; only operators see its decision buttons. */}
          <NavLink to="/review">Review</NavLink>
          <NavLink to="/workspaces">Workspaces</NavLink>
          {isClient && <NavLink to="/portal">Portal</NavLink>}
          <NavLink to="/account">Account</NavLink>
          {user?.role === "admin" && <NavLink to="/admin/llm">LLM keys</NavLink>}
        </nav>
        <div className="topbar-end">
          {user && <WorkspaceSwitcher />}
          <ConnectionPill />
          {user && (
            <NavLink to="/account" className="balance" data-testid="balance" data-cents={user.balance} title="Your play-money balance">
              {formatCents(user.balance)}
            </NavLink>
          )}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void onSignOut()} disabled={signingOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        {/* Pages load on first visit; the shell stays while one does. */}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
