import { useEffect, useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { AuthLayout } from "./auth-layout";
import { Field, FormError } from "../components/field";
import { Spinner } from "../components/states";
import { fetchAuthProviders, signIn, startOAuth, type AuthProviders } from "../lib/auth";
import { useMe } from "../hooks/use-me";
import { useDocumentTitle } from "../hooks/use-document-title";
import { trpc } from "../trpc";

/** Only same-site paths, so ?next= cannot send someone elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage() {
  useDocumentTitle("Sign in");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<AuthProviders>({ credentials: true, oauth: [] });
  const oauthError = params.get("error");

  useEffect(() => {
    void fetchAuthProviders().then(setProviders);
  }, []);

  if (me.user) return <Navigate to={next} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError("enter your email and password");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await signIn(email.trim(), password);
      await utils.user.me.reset();
      await utils.user.me.fetch();
      void navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : "sign-in failed");
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Sign in" subtitle="Welcome back to the paddock.">
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <FormError message={error ?? (oauthError ? `sign-in failed (${oauthError})` : undefined)} />
        <Field label="Email">
          {(p) => <input {...p} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />}
        </Field>
        <Field label="Password">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? <Spinner label="Signing in" /> : "Sign in"}
        </button>
      </form>
      {providers.oauth.length > 0 && (
        <div className="oauth">
          <div className="divider">
            <span>or</span>
          </div>
          {providers.oauth.map((p) => (
            <button key={p} type="button" className="btn btn-ghost btn-block" onClick={() => void startOAuth(p)}>
              Continue with {p === "github" ? "GitHub" : p === "google" ? "Google" : p}
            </button>
          ))}
        </div>
      )}
      <p className="auth-switch">
        New here? <Link to={`/signup${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}
