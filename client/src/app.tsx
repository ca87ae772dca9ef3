import { Navigate, Route, Routes, useLocation } from "react-router";
import { useEffect, type ReactNode } from "react";
import { Shell } from "./components/shell";
import { Loading, ErrorState } from "./components/states";
import { useMe } from "./hooks/use-me";
import { connectSocket } from "./live/socket";
import { useLiveAccount } from "./live/use-live-account";
import { SignInPage } from "./pages/sign-in";
import { SignUpPage } from "./pages/sign-up";
import { ArenaPage } from "./pages/arena";
import { LaunchPage } from "./pages/launch";
import { RunPage } from "./pages/run";
import { ComparePage } from "./pages/compare";
import { AccountPage } from "./pages/account";
import { NotFoundPage } from "./pages/not-found";

function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const signedIn = Boolean(me.user);
  useEffect(() => {
    if (signedIn) connectSocket();
  }, [signedIn]);
  useLiveAccount(signedIn);

  if (me.isPending) return <Loading label="Opening Paddock…" />;
  if (me.signedOut) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/signin" : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} title="Paddock is unreachable" />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route path="/signup" element={<SignUpPage />} />
      <Route
        element={
          <RequireAuth>
            <Shell />
          </RequireAuth>
        }
      >
        <Route index element={<ArenaPage />} />
        <Route path="launch" element={<LaunchPage />} />
        <Route path="runs/:id" element={<RunPage />} />
        <Route path="compare" element={<ComparePage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
