// Service levels on deliverables: how long a first response, a delivery and a requested revision may
// take, by task priority (a project may override any of them), and when a clock is at risk (less
// than 20 % of its window left) or breached. The server's watcher, its SQL and the client all use
// this module.
import { z } from "zod";

export const SLA_KINDS = ["first_response", "delivery", "revision"] as const;
export type SlaKind = (typeof SLA_KINDS)[number];
export const SLA_STATES = ["on_track", "at_risk", "breached", "met"] as const;
export type SlaState = (typeof SLA_STATES)[number];
/** The states a clock can still leave. */
export const OPEN_SLA_STATES = ["on_track", "at_risk"] as const satisfies readonly SlaState[];

/** A clock is at risk once less than this share of its window is left. */
export const SLA_AT_RISK_SHARE = 0.2;

export interface SlaWindows {
  firstResponseMinutes: number;
  deliveryMinutes: number;
  revisionMinutes: number;
}

/** Default windows by task priority (1 lowest … 5 highest). */
export const DEFAULT_SLA_WINDOWS: Record<1 | 2 | 3 | 4 | 5, SlaWindows> = {
  1: { firstResponseMinutes: 48 * 60, deliveryMinutes: 7 * 24 * 60, revisionMinutes: 72 * 60 },
  2: { firstResponseMinutes: 24 * 60, deliveryMinutes: 5 * 24 * 60, revisionMinutes: 48 * 60 },
  3: { firstResponseMinutes: 8 * 60, deliveryMinutes: 3 * 24 * 60, revisionMinutes: 24 * 60 },
  4: { firstResponseMinutes: 4 * 60, deliveryMinutes: 24 * 60, revisionMinutes: 8 * 60 },
  5: { firstResponseMinutes: 60, deliveryMinutes: 8 * 60, revisionMinutes: 4 * 60 },
};

const minutes = z
  .number()
  .int()
  .min(1)
  .max(365 * 24 * 60);
/** A project's override (projects.slaPolicy): per priority, any of the three windows. */
export const slaPolicySchema = z
  .partialRecord(
    z.enum(["1", "2", "3", "4", "5"]),
    z.object({ firstResponseMinutes: minutes, deliveryMinutes: minutes, revisionMinutes: minutes }).partial().strict(),
  )
  .default({});
export type SlaPolicy = z.infer<typeof slaPolicySchema>;

const WINDOW_KEY: Record<SlaKind, keyof SlaWindows> = {
  first_response: "firstResponseMinutes",
  delivery: "deliveryMinutes",
  revision: "revisionMinutes",
};

const clampPriority = (p: number): 1 | 2 | 3 | 4 | 5 => Math.min(5, Math.max(1, Math.round(p))) as 1 | 2 | 3 | 4 | 5;

/** The window for a clock of this kind at this priority, in minutes, after the project's override. */
export function slaWindowMinutes(kind: SlaKind, priority: number, policy: unknown): number {
  const p = clampPriority(priority);
  const parsed = slaPolicySchema.safeParse(policy ?? {});
  const override = parsed.success ? parsed.data[String(p) as "1"]?.[WINDOW_KEY[kind]] : undefined;
  return override ?? DEFAULT_SLA_WINDOWS[p][WINDOW_KEY[kind]];
}

/**
 * A clock's thresholds. `minuteMs` is how long a minute lasts (60,000 in production: tests shorten it,
 * like runs' MINUTE_SECONDS).
 */
export function slaClock(input: { kind: SlaKind; priority: number; policy: unknown; startsAt: Date; minuteMs?: number }) {
  const windowMs = slaWindowMinutes(input.kind, input.priority, input.policy) * (input.minuteMs ?? 60_000);
  const start = input.startsAt.getTime();
  return {
    startsAt: input.startsAt,
    atRiskAt: new Date(start + Math.ceil(windowMs * (1 - SLA_AT_RISK_SHARE))),
    dueAt: new Date(start + windowMs),
  };
}

/** Where an open clock stands at `now` (met is decided by the deliverable, not by time). */
export function slaStateAt(clock: { atRiskAt: Date; dueAt: Date }, now: Date): Exclude<SlaState, "met"> {
  if (now.getTime() >= clock.dueAt.getTime()) return "breached";
  if (now.getTime() >= clock.atRiskAt.getTime()) return "at_risk";
  return "on_track";
}

// ── sla.* inputs ──
const id = z.string().min(1, "must not be empty").max(64, "must be at most 64 characters");
export const slaListInput = z.object({
  workspaceId: id,
  state: z.enum(SLA_STATES, `must be one of ${SLA_STATES.join(", ")}`).optional(),
});
export const slaWorkspaceInput = z.object({ workspaceId: id });
export const slaDeliverableInput = z.object({ deliverableId: id });
