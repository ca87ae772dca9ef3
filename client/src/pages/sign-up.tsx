import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { signUpInput } from "@shared/schemas";
import { AuthLayout } from "./auth-layout";
import { Field, FormError } from "../components/field";
import { Spinner } from "../components/states";
import { signIn } from "../lib/auth";
import { fieldErrors, formError } from "../lib/errors";
import { useMe } from "../hooks/use-me";
import { useDocumentTitle } from "../hooks/use-document-title";
import { trpc } from "../trpc";
import { safeNext } from "./sign-in";

export function SignUpPage() {
  useDocumentTitle("Create account");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const signUp = trpc.user.signUp.useMutation();
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [topError, setTopError] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (me.user) return <Navigate to={next} replace />;

  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    if (errors[key]) setErrors(({ [key]: _drop, ...rest }) => rest);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setTopError(undefined);
    // The server's own schema, so the form says exactly what the server would.
    const parsed = signUpInput.safeParse(form);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? "");
        next[key] ??= issue.message;
      }
      setErrors(next);
      return;
    }
    setBusy(true);
    try {
      await signUp.mutateAsync(parsed.data);
    } catch (err) {
      setErrors(fieldErrors(err));
      setTopError(formError(err));
      setBusy(false);
      return;
    }
    try {
      await signIn(parsed.data.email, form.password);
      await utils.user.me.reset();
      await utils.user.me.fetch();
      void navigate(next, { replace: true });
    } catch (err) {
      setTopError(`Your account is ready, but signing in failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Create your account" subtitle="You start with play money to launch agents and place bets.">
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <FormError message={topError} />
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} name="name" autoComplete="name" value={form.name} onChange={set("name")} />}
        </Field>
        <Field label="Email" error={errors.email}>
          {(p) => <input {...p} name="email" type="email" autoComplete="email" value={form.email} onChange={set("email")} />}
        </Field>
        <Field label="Password" error={errors.password} hint="At least 8 characters.">
          {(p) => (
            <input {...p} name="password" type="password" autoComplete="new-password" value={form.password} onChange={set("password")} />
          )}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? <Spinner label="Creating account" /> : "Create account"}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to={`/signin${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Sign in</Link>
      </p>
    </AuthLayout>
  );
}
