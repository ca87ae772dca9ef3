// Auth.js from the browser: a CSRF token, then a form POST. `X-Auth-Return-Redirect` makes
// Auth.js answer with JSON { url } instead of a redirect, so failures can be shown in place.

async function csrfToken(): Promise<string> {
  const res = await fetch("/api/auth/csrf", { credentials: "include" });
  if (!res.ok) throw new Error("could not reach the sign-in service; try again");
  const body = (await res.json()) as { csrfToken?: string };
  if (!body.csrfToken) throw new Error("the sign-in service gave no CSRF token");
  return body.csrfToken;
}

async function postAuthForm(path: string, fields: Record<string, string>): Promise<string | undefined> {
  const body = new URLSearchParams({ ...fields, csrfToken: await csrfToken() });
  const res = await fetch(path, {
    method: "POST",
    credentials: "include",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Auth-Return-Redirect": "1" },
    body,
  });
  if (res.status === 429) throw new Error("too many sign-in attempts; wait a minute and try again");
  if (!res.ok) throw new Error(`the sign-in service answered ${res.status}; try again`);
  const data = (await res.json().catch(() => null)) as { url?: string } | null;
  return data?.url;
}

export async function signIn(email: string, password: string): Promise<void> {
  const url = await postAuthForm("/api/auth/callback/credentials", { email, password, callbackUrl: "/" });
  const params = url ? new URL(url, window.location.origin).searchParams : null;
  const error = params?.get("error");
  if (error) {
    if (params?.get("code") === "account_locked") throw new Error("too many wrong passwords for this account; try again in 15 minutes");
    throw new Error(error === "CredentialsSignin" ? "wrong email or password" : `sign-in failed (${error})`);
  }
}

export async function signOut(): Promise<void> {
  await postAuthForm("/api/auth/signout", { callbackUrl: "/signin" });
}

export interface AuthProviders {
  credentials: boolean;
  oauth: string[];
}

export async function fetchAuthProviders(): Promise<AuthProviders> {
  const res = await fetch("/api/auth-providers", { credentials: "include" });
  if (!res.ok) return { credentials: true, oauth: [] };
  return (await res.json()) as AuthProviders;
}

/** OAuth needs a real navigation: post a form to Auth.js, which redirects to the provider. */
export async function startOAuth(provider: string): Promise<void> {
  const form = document.createElement("form");
  form.method = "POST";
  form.action = `/api/auth/signin/${encodeURIComponent(provider)}`;
  for (const [name, value] of Object.entries({ csrfToken: await csrfToken(), callbackUrl: `${window.location.origin}/` })) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}
