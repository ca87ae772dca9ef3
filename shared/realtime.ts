// The typed Socket.IO contract, used by the server, the workers (through the Redis emitter)
// and the React client. Rooms: `run:<id>` (one run), `user:<id>` (one user's private
// updates), `arena` (every run's summary changes).
import type { BetSide } from "./odds";
import type { RunStatus } from "./run-status";
import type { SlaKind, SlaState } from "./sla";

export type RunStatusName = RunStatus;
export type PoolStatusName = "open" | "locked" | "settled" | "refunded";

export interface RunEventMessage {
  runId: string;
  seq: number;
  kind: string;
  payload: unknown;
  createdAt: string;
}

/** Events stored together (one bridge batch) travel as one message, in sequence order. */
export interface RunEventsMessage {
  runId: string;
  events: RunEventMessage[];
}

export interface RunProgressMessage {
  runId: string;
  currentProgress: number;
  targetValue: number;
  at: string;
}

export interface RunStatusMessage {
  runId: string;
  status: RunStatusName;
  statusReason: string | null;
  error: string | null;
  startedAt: string | null;
  expiresAt: string | null;
  finishedAt: string | null;
  at: string;
}

export interface PoolUpdateMessage {
  runId: string;
  poolId: string;
  yesTotal: number;
  noTotal: number;
  betCount: number;
  status: PoolStatusName;
  outcome: BetSide | null;
  lockReason: string | null;
}

export interface BetPlacedMessage {
  runId: string;
  poolId: string;
  betId: string;
  side: BetSide;
  amount: number;
  userId: string;
  userName: string;
  createdAt: string;
}

/** Bets accepted together (one statement on the server) travel as one message, oldest first. */
export interface BetsPlacedMessage {
  runId: string;
  bets: BetPlacedMessage[];
}

export interface BalanceUpdateMessage {
  balance: number;
  reason: string;
}

export interface ArenaRunMessage {
  runId: string;
}

/** A task changed (status, priority, assignment). */
export interface TaskUpdateMessage {
  taskId: string;
  projectId: string;
  workspaceId: string;
  status: "backlog" | "ready" | "running" | "review" | "done" | "failed" | "canceled";
  priority: number;
  assignedAgentId: string | null;
  attemptCount: number;
  at: string;
}

/** task:update: a workspace's task changes, oldest first. */
export interface TaskUpdatesMessage {
  workspaceId: string;
  updates: TaskUpdateMessage[];
}

/** A pipeline's status changed (or one of its steps'): the client refetches pipeline.get. */
export interface PipelineUpdateMessage {
  pipelineId: string;
  projectId: string;
  status: "running" | "succeeded" | "failed" | "canceled";
  failedStepKey: string | null;
}

/** A batch's live counts. */
export interface BatchUpdateMessage {
  batchId: string;
  projectId: string;
  status: "running" | "completed";
  counts: { pending: number; running: number; done: number; failed: number };
}

/**
 * An SLA clock changed state (at risk, breached, met): sent to its workspace's room, once per change.
 * The at-risk panel refetches sla.atRisk.
 */
export interface SlaAlertMessage {
  slaId: string;
  deliverableId: string;
  projectId: string;
  workspaceId: string;
  kind: SlaKind;
  state: SlaState;
  dueAt: string;
  at: string;
}

/** A deliverable changed (a new version, a decision): sent to its workspace's room; the client refetches it. */
export interface DeliverableUpdateMessage {
  deliverableId: string;
  projectId: string;
  workspaceId: string;
  status: "draft" | "review" | "approved" | "delivered" | "rejected";
  latestVersion: number;
  at: string;
}

/** A delivery on a project shared with clients: to each of those clients' own user rooms (the portal refreshes). */
export interface PortalDeliveryMessage {
  deliverableId: string;
  projectId: string;
  /** The version delivered. */
  version: number;
  at: string;
}

/** A message on a project's thread: to its workspace's room (members) and each of its clients' user rooms. */
export interface MessageNewMessage {
  messageId: string;
  projectId: string;
  workspaceId: string;
  body: string;
  author: { id: string; name: string; isClient: boolean };
  createdAt: string;
}

export interface ServerToClientEvents {
  /**
   * To the workspace's room: its tasks' changes of one moment, in the order they happened (a claim
   * statement starting 30 tasks sends one message, not 30).
   */
  "task:update": (msg: TaskUpdatesMessage) => void;
  "run:events": (msg: RunEventsMessage) => void;
  "run:progress": (msg: RunProgressMessage) => void;
  "run:status": (msg: RunStatusMessage) => void;
  "run:created": (msg: ArenaRunMessage) => void;
  "pool:update": (msg: PoolUpdateMessage) => void;
  "bets:placed": (msg: BetsPlacedMessage) => void;
  "balance:update": (msg: BalanceUpdateMessage) => void;
  /** To the pipeline's workspace room, like task:update. */
  "pipeline:update": (msg: PipelineUpdateMessage) => void;
  "batch:update": (msg: BatchUpdateMessage) => void;
  /** To the deliverable's workspace room. */
  "sla:alert": (msg: SlaAlertMessage) => void;
  "deliverable:update": (msg: DeliverableUpdateMessage) => void;
  /** To the project's workspace room and its clients' own user rooms (clients never join the workspace room). */
  "message:new": (msg: MessageNewMessage) => void;
  /** To the clients a delivered deliverable's project is shared with, in their own user rooms. */
  "portal:delivery": (msg: PortalDeliveryMessage) => void;
}

export type SubscribeAck =
  /** `more`: over the replay cap were missed; `missed` holds the oldest, page the rest with run.events. */
  { ok: true; missed: RunEventMessage[]; lastSeq: number; more?: boolean } | { ok: false; error: string };

export interface ClientToServerEvents {
  /** Join a run's room; `afterSeq` replays the events stored after that sequence number. */
  "run:subscribe": (input: { runId: string; afterSeq?: number }, ack: (res: SubscribeAck) => void) => void;
  "run:unsubscribe": (input: { runId: string }) => void;
  "arena:subscribe": (ack?: (res: { ok: boolean }) => void) => void;
  "arena:unsubscribe": () => void;
  /** Join a workspace's room (task:update): members only. */
  "workspace:subscribe": (input: { workspaceId: string }, ack?: (res: { ok: boolean; error?: string }) => void) => void;
  "workspace:unsubscribe": (input: { workspaceId: string }) => void;
}

export const rooms = {
  run: (id: string) => `run:${id}`,
  user: (id: string) => `user:${id}`,
  /** Public runs' summary changes. */
  arena: "arena",
  /** A workspace's private runs' summary changes: its members' arena sockets. */
  workspaceArena: (workspaceId: string) => `arena:${workspaceId}`,
  /** Every private run's summary changes: site operators' and admins' arena sockets. */
  privateArena: "arena:private",
  /** A workspace's work (task:update): its members' sockets. */
  workspace: (workspaceId: string) => `workspace:${workspaceId}`,
} as const;
