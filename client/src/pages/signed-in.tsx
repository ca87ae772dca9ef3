// Everything behind sign-in: the session check, the live socket and the shell around the pages.
// A chunk of its own, so the sign-in page does not load socket.io or the shell.
import { Navigate, useLocation } from "react-router";
import { useEffect } from "react";
import { Shell } from "../components/shell";
import { Loading, ErrorState } from "../components/states";
import { useMe } from "../hooks/use-me";
import { connectSocket } from "../live/socket";
import { useLiveAccount } from "../live/use-live-account";

export default function SignedInLayout() {
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
  return <Shell />;
}
