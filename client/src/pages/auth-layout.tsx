import type { ReactNode } from "react";
import { PaddockLogo } from "../components/logo";

export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          <PaddockLogo size={36} />
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
