// The LLM credentials pool's one rule of availability, used by the server to pick a credential and
// by the admin page to show each one's state as time passes (a cooldown ends without a reload).

export const LLM_CREDENTIAL_STATES = ["active", "cooling", "scheduled", "expired", "disabled"] as const;
export type LlmCredentialState = (typeof LLM_CREDENTIAL_STATES)[number];

export interface LlmCredentialWindow {
  enabled: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
  cooldownUntil: Date | null;
}

/**
 * A credential is usable (`active`) when it is enabled, inside its window — from validFrom
 * (inclusive) to validUntil (exclusive), either end open when null — and its cooldown is over.
 */
export function llmCredentialState(c: LlmCredentialWindow, now: Date): LlmCredentialState {
  const t = now.getTime();
  if (!c.enabled) return "disabled";
  if (c.validUntil && c.validUntil.getTime() <= t) return "expired";
  if (c.validFrom && c.validFrom.getTime() > t) return "scheduled";
  if (c.cooldownUntil && c.cooldownUntil.getTime() > t) return "cooling";
  return "active";
}

export const LLM_CREDENTIAL_STATE_LABEL: Record<LlmCredentialState, string> = {
  active: "Active",
  cooling: "Cooling down",
  scheduled: "Not yet valid",
  expired: "Expired",
  disabled: "Disabled",
};
