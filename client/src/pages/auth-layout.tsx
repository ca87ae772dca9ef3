import type { ReactNode } from "react";

export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden>
            <rect width="32" height="32" rx="8" fill="var(--surface-3)" />
            <path
              d="M8 23V9h8a5 5 0 0 1 0 10h-4"
              fill="none"
              stroke="var(--accent)"
              strokeWidth="3"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
            <circle cx="23" cy="23" r="2.5" fill="var(--gold)" />
          </svg>
          <span>Paddock</span>
        </div>
        <h1>{title}</h1>
        <p className="muted">{subtitle}</p>
        {children}
      </div>
      <p className="auth-foot muted">Launch agents, watch them work live, back them with play money.</p>
    </div>
  );
}
