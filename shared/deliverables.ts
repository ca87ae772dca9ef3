// Deliverables: the reviewed results of tasks. Their statuses, the decisions that move a version,
// who may take them, and the input schemas. The server's domain and the client both use this module.
//
// A deliverable has versions 1, 2, …; its status is its newest version's. A version arrives in
// `review` and an operator decides on it:
// - approve:          review → approved
// - deliver:          review | approved → delivered (approving first when needed: one click)
// - reject:           review | approved → rejected — a quality failure: the task is done again by
//                     another agent, and its result arrives as the next version;
// - requestRevision:  review | approved → rejected, with notes — a revision task goes back to the same
//                     agent, and its result arrives as the next version.
// `draft` is a version not yet offered for review (none are made so today: results arrive in review).
import { z } from "zod";
import { idSchema } from "./work";
import type { WorkspaceRole } from "./workspace-rules";

export const DELIVERABLE_STATUSES = ["draft", "review", "approved", "delivered", "rejected"] as const;
export type DeliverableStatus = (typeof DELIVERABLE_STATUSES)[number];

export const DELIVERABLE_DECISIONS = ["approve", "deliver", "reject", "requestRevision"] as const;
export type DeliverableDecision = (typeof DELIVERABLE_DECISIONS)[number];

/** The statuses a version may be in for each decision. */
const DECIDABLE_FROM: Record<DeliverableDecision, readonly DeliverableStatus[]> = {
  approve: ["review"],
  deliver: ["review", "approved"],
  reject: ["review", "approved"],
  requestRevision: ["review", "approved"],
};

/** The status each decision leaves the version (and the deliverable) in. */
export const DECISION_RESULT: Record<DeliverableDecision, DeliverableStatus> = {
  approve: "approved",
  deliver: "delivered",
  reject: "rejected",
  requestRevision: "rejected",
};

/** Versions awaiting a decision: what the review queue shows. */
export const AWAITING_STATUSES = ["review", "approved"] as const satisfies readonly DeliverableStatus[];

export function canDecide(status: DeliverableStatus, decision: DeliverableDecision): boolean {
  return DECIDABLE_FROM[decision].includes(status);
}

/** Why this decision cannot be taken on a version in this status, or null. */
export function decisionRefusal(status: DeliverableStatus, decision: DeliverableDecision): string | null {
  if (canDecide(status, decision)) return null;
  if (status === "delivered") return "it was already delivered";
  if (status === "rejected") return "it was already rejected (a new version is on its way)";
  if (status === "approved" && decision === "approve") return "it was already approved: deliver it";
  return `it is ${status}, not awaiting that decision`;
}

/**
 * Who may decide on a workspace's deliverables: its owners and admins, and site operators and admins
 * who are members of it. Members and viewers read them; clients see delivered ones only (portal).
 */
export const DELIVERABLE_DECIDER_ROLES = ["owner", "admin"] as const satisfies readonly WorkspaceRole[];

export function mayDecide(workspaceRole: string, siteRole: string): boolean {
  return (DELIVERABLE_DECIDER_ROLES as readonly string[]).includes(workspaceRole) || siteRole === "operator" || siteRole === "admin";
}

export const DECIDE_REFUSAL = "only the workspace's owners and admins (or site operators) can decide on deliverables";

/** How much of the version's text a revision task's description quotes. */
export const REVISION_EXCERPT_CHARS = 1500;
/** A revision task's priority: it goes ahead of other work. */
export const REVISION_PRIORITY = 5;
/** The type of a revision task. */
export const REVISION_TASK_TYPE = "revision";

/** The revision task's description: the notes, then an excerpt of the version they are about. */
export function revisionDescription(notes: string, version: { number: number; body: string }): string {
  const body = version.body.trim();
  const excerpt = body.length > REVISION_EXCERPT_CHARS ? `${body.slice(0, REVISION_EXCERPT_CHARS)}…` : body;
  return `Revision requested:\n${notes.trim()}\n\n--- Version ${version.number} (excerpt) ---\n${excerpt || "(no text)"}`;
}

// ── inputs ──

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** A decision names the deliverable and, optionally, the version the operator looked at (refused if a newer one arrived). */
export const deliverableDecisionInput = z.object({
  id: idSchema,
  version: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
});
export type DeliverableDecisionInput = z.infer<typeof deliverableDecisionInput>;

export const deliverableIdInput = z.object({ id: idSchema });

export const deliverableIdsInput = z.object({
  ids: z.array(idSchema).min(1, "must name at least one deliverable").max(100, "must be at most 100 deliverables"),
});

export const rejectDeliverableInput = deliverableDecisionInput.extend({ reason: text(2000) });
export const requestRevisionInput = deliverableDecisionInput.extend({ notes: text(5000) });

export const deliverableListInput = z
  .object({
    workspaceId: idSchema.optional(),
    projectId: idSchema.optional(),
    status: z.enum(DELIVERABLE_STATUSES, `must be one of ${DELIVERABLE_STATUSES.join(", ")}`).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(50),
  })
  .refine((v) => v.workspaceId || v.projectId, { message: "name a workspaceId or a projectId", path: ["workspaceId"] });

export const deliverableQueueInput = z.object({
  workspaceId: idSchema,
  limit: z.number().int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(100),
});

export const projectActivityInput = z.object({
  projectId: idSchema,
  cursor: z.string().max(200).optional(),
  limit: z.number().int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(50),
});

/** The kinds of project activity the deliverable flow writes (the SLA watcher and messages add their own). */
export const DELIVERABLE_ACTIVITY = {
  created: "deliverable.created",
  versionAdded: "deliverable.version_added",
  approved: "deliverable.approved",
  delivered: "deliverable.delivered",
  rejected: "deliverable.rejected",
  revisionRequested: "deliverable.revision_requested",
  held: "deliverable.held",
} as const;
