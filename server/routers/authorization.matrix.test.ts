// Who may call what: every tRPC procedure and HTTP route that touches a run, a workspace, a member,
// the workspace's work (agents, projects, tasks, pipelines), the client portal or a project's thread
// × every kind of caller (a client of the workspace among them), generated from the one table below (MATRIX). A run's row is checked on a
// private (workspace-visibility) run and on a public run of the same team workspace; a bridge row
// also with the run's own agent and another run's agent. The first tests prove the table leaves
// nothing out: every procedure of the app router and every route of the artifact and bridge routers
// has a row, or is named in NOT_ABOUT_RUNS with the reason.
//
// Reads share one world; a call that may change something gets a fresh one, and when it is refused
// it must leave everything — workspace, members, invitations, runs, prompts, money — as it was.
// Someone who may not see a run gets NOT_FOUND, exactly as for an id that does not exist.
import { beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import request from "supertest";
import type { Test } from "supertest";
import path from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { createApp } from "../app";
import { config } from "../config";
import { db } from "../lib/db";
import { hashToken, newToken } from "../lib/passwords";
import { anonymousCaller, makeUser } from "../test/helpers";
import { appRouter } from "../trpc/root";
import { ensureBuiltinAgents } from "../domain/agents/builtin";
import { createApiToken } from "../domain/users";
import { runAccountKey, transfer, userAccountKey } from "../domain/ledger";
import { makeRun, moneySnapshot, seedBets } from "../domain/betting/fixtures";
import { artifactPath } from "../domain/runs/artifacts";
import { inviteToWorkspace } from "../domain/workspaces/invitations";
import { makeDeliverable } from "../domain/portal/fixtures";
import { createBridgeRouter } from "../bridge/routes";
import { createArtifactRouter } from "./artifacts";
import { makeReviewDeliverable, openSlas } from "../domain/deliverables/sla-fixtures";
import { BRIDGE_BASE_PATH } from "@shared/bridge";
import type { WorkspaceRole } from "@shared/workspace-rules";

const HUMANS = ["anonymous", "viewer", "member", "admin", "owner", "otherWorkspace", "siteOperator", "siteAdmin", "client"] as const;
const AGENTS = ["thisRunsAgent", "otherRunsAgent"] as const;
type Human = (typeof HUMANS)[number];
type Agent = (typeof AGENTS)[number];
type Actor = Human | Agent;
type Visibility = "workspace" | "public";

/** "ok", an error code, or for lists and aggregates whether the run is among what the caller gets. */
type Outcome = "ok" | "listed" | "unlisted" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "UNAVAILABLE";
const U = "UNAUTHORIZED";
const F = "FORBIDDEN";
const N = "NOT_FOUND";
const L = "listed";
const X = "unlisted";

const humans = (...o: Outcome[]) => Object.fromEntries(HUMANS.map((a, i) => [a, o[i]!])) as Record<Human, Outcome>;
/** A bridge row: the nine people (each with a personal API token, which is no bridge token), then the two agents. */
const agents = (own: Outcome, other: Outcome) =>
  ({ ...humans(U, U, U, U, U, U, U, U, U), thisRunsAgent: own, otherRunsAgent: other }) as Record<Actor, Outcome>;
const byVisibility = (workspace: Record<Human, Outcome>, publicRun: Record<Human, Outcome>) => ({ workspace, public: publicRun });

// The outcomes that repeat, named once. Steering (prompt, credits, cancel) is for the workspace's
// members and site operators, not its viewers; site roles give no power inside a workspace, so
// launching there is for its members. The workspace's client (a guest, with a project of the world
// shared with them) sees its private runs no more than an outsider does: public runs only.
// prettier-ignore
const { SEE_PRIVATE, SEE_PUBLIC, LIST_PRIVATE, LIST_PUBLIC, STEER_PRIVATE, STEER_PUBLIC, OPERATORS, LAUNCH } = {
  //                    anonymous viewer member admin owner otherWs siteOp siteAdmin client
  SEE_PRIVATE:   humans(U, "ok", "ok", "ok", "ok", N,    "ok", "ok", N),
  SEE_PUBLIC:    humans(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
  LIST_PRIVATE:  humans(U, L,    L,    L,    L,    X,    L,    L,    X),
  LIST_PUBLIC:   humans(U, L,    L,    L,    L,    L,    L,    L,    L),
  STEER_PRIVATE: humans(U, F,    "ok", "ok", "ok", N,    "ok", "ok", N),
  STEER_PUBLIC:  humans(U, F,    "ok", "ok", "ok", F,    "ok", "ok", F),
  OPERATORS:     humans(U, F,    F,    F,    F,    F,    "ok", "ok", F),
  LAUNCH:        humans(U, F,    "ok", "ok", "ok", N,    N,    N,    F),
};

// Workspace work (agents, projects, tasks, pipelines), the portal and the project threads. A
// client holds no workspace permission, not even `view`: the work does not exist for them, the
// shared project included; they see that project only through portal.* and message.*.
// prettier-ignore
const { WORK_READ, WORK_EDIT, WORK_MANAGE, PORTAL, PORTAL_LIST, THREAD, NOBODY, SIGNED_IN } = {
  //                  anonymous viewer member admin owner otherWs siteOp siteAdmin client
  WORK_READ:   humans(U, "ok", "ok", "ok", "ok", N,    N,    N,    N),
  WORK_EDIT:   humans(U, F,    "ok", "ok", "ok", N,    N,    N,    N),
  WORK_MANAGE: humans(U, F,    F,    "ok", "ok", N,    N,    N,    N),
  PORTAL:      humans(U, N,    N,    N,    N,    N,    N,    N,    "ok"),
  PORTAL_LIST: humans(U, X,    X,    X,    X,    X,    X,    X,    L),
  THREAD:      humans(U, "ok", "ok", "ok", "ok", N,    N,    N,    "ok"),
  NOBODY:      humans(U, N,    N,    N,    N,    N,    N,    N,    N),
  SIGNED_IN:   humans(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
};

interface Access {
  caller: ReturnType<typeof anonymousCaller>;
  /** Adds this actor's credentials to an HTTP request: a personal API token, a bridge token, or nothing. */
  auth(req: Test): Test;
}

interface WorldRun {
  id: string;
  goal: string;
  model: string;
  artifactId: string;
  promptId: string;
}

interface World {
  workspaceId: string;
  /** A plain member every actor tries to manage (setRole, removeMember). */
  targetId: string;
  /** An invitation link's token addressed to an email no actor has. */
  inviteToken: string;
  invitationId: string;
  /** None for the workspace rows: a workspace with live runs cannot be deleted. */
  runs: Record<Visibility, WorldRun> | null;
  /** Bridge tokens: each run's own agent, and the agent of a run in another workspace. */
  agentTokens: Record<Visibility, string>;
  otherAgentToken: string;
  /** The workspace's work, for the work, portal and thread rows. */
  work: WorldWork | null;
}

/** A project shared with the client and one that is not, their work, and deliverables in every state. */
interface WorldWork {
  workspaceId: string;
  projectId: string;
  otherProjectId: string;
  taskId: string;
  /** A task that failed: retry's. */
  failedTaskId: string;
  agentId: string;
  keyId: string;
  deliveryId: string;
  pipelineId: string;
  batchId: string;
  delivered: string;
  inReview: string;
  rejected: string;
  otherDelivered: string;
  clientId: string;
}

type Row =
  | { on: "workspace"; procedure: string; changes: boolean; expect: Record<Human, Outcome>; call(a: Access, w: World): Promise<unknown> }
  | {
      on: "work";
      procedure: string;
      changes: boolean;
      expect: Record<Human, Outcome>;
      call(a: Access, w: WorldWork, world: World): Promise<unknown>;
    }
  | {
      on: "run";
      /** The tRPC procedure (`router.name`) or HTTP route (`METHOD /path`) the row covers. */
      procedure: string;
      changes: boolean;
      expect: Record<Visibility, Record<Human, Outcome>>;
      call(a: Access, w: World, run: WorldRun, visibility: Visibility): Promise<unknown>;
    }
  | { on: "bridge"; procedure: string; expect: Record<Actor, Outcome>; call(a: Access, w: World, base: string, run: WorldRun): Test };

const app = createApp();

/** A batch decision answers per deliverable: the one deliverable's answer is the cell's outcome. */
const batchOutcome = (r: { results: ({ ok: true } | { ok: false; code: string })[] }): Outcome => {
  const first = r.results[0]!;
  return first.ok ? "ok" : (first.code as Outcome);
};

const deliverables = new Map<string, Promise<string>>();
/** A deliverable in review with its SLA clocks in the world's workspace, made once (the sla.forDeliverable row). */
function deliverableIn(workspaceId: string): Promise<string> {
  let made = deliverables.get(workspaceId);
  if (!made) {
    made = (async () => {
      const d = await makeReviewDeliverable(db, { workspaceId, userId: people.owner.id });
      await openSlas(db, d, { now: new Date() });
      return d.deliverable.id;
    })();
    deliverables.set(workspaceId, made);
  }
  return made;
}
const bridge = (verb: "get" | "post", base: string, tail: string) => request(app)[verb](`${base}${tail}`);
const ARENA_LIST = { limit: 100 } as const;

/** A list or aggregate call answers whether the run is in it. */
const listed = (present: boolean) => (present ? "listed" : "unlisted");

// prettier-ignore
const MATRIX: Record<string, Row> = {
  // Workspaces and members. The owner is the only one: the last owner cannot leave. The invitation
  // link was sent to another address: holding it lets nobody else in.
  "workspace.create":       { on: "workspace", procedure: "workspace.create", changes: true, expect: humans(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"), call: (a) => a.caller.workspace.create({ name: "Side project" }) },
  "workspace.list":         { on: "workspace", procedure: "workspace.list", changes: false, expect: humans(U, L, L, L, L, X, X, X, L),
    call: async (a, w) => listed((await a.caller.workspace.list()).some((ws) => ws.id === w.workspaceId)) },
  "workspace.get":          { on: "workspace", procedure: "workspace.get", changes: false, expect: humans(U, "ok", "ok", "ok", "ok", N, N, N, "ok"), call: (a, w) => a.caller.workspace.get({ id: w.workspaceId }) },
  "workspace.members":      { on: "workspace", procedure: "workspace.members", changes: false, expect: humans(U, "ok", "ok", "ok", "ok", N, N, N, F), call: (a, w) => a.caller.workspace.members({ id: w.workspaceId }) },
  "workspace.update":       { on: "workspace", procedure: "workspace.update", changes: true, expect: humans(U, F, F, "ok", "ok", N, N, N, F), call: (a, w) => a.caller.workspace.update({ id: w.workspaceId, name: "Renamed" }) },
  "workspace.delete":       { on: "workspace", procedure: "workspace.delete", changes: true, expect: humans(U, F, F, F, "ok", N, N, N, F), call: (a, w) => a.caller.workspace.delete({ id: w.workspaceId }) },
  "workspace.invite":       { on: "workspace", procedure: "workspace.invite", changes: true, expect: humans(U, F, F, "ok", "ok", N, N, N, F),
    call: (a, w) => a.caller.workspace.invite({ id: w.workspaceId, email: `new-${w.workspaceId}@example.test`, role: "member" }) },
  "workspace.setRole":      { on: "workspace", procedure: "workspace.setRole", changes: true, expect: humans(U, F, F, "ok", "ok", N, N, N, F),
    call: (a, w) => a.caller.workspace.setRole({ id: w.workspaceId, userId: w.targetId, role: "viewer" }) },
  "workspace.removeMember": { on: "workspace", procedure: "workspace.removeMember", changes: true, expect: humans(U, F, F, "ok", "ok", N, N, N, F),
    call: (a, w) => a.caller.workspace.removeMember({ id: w.workspaceId, userId: w.targetId }) },
  "workspace.revokeInvite": { on: "workspace", procedure: "workspace.revokeInvite", changes: true, expect: humans(U, F, F, "ok", "ok", N, N, N, F),
    call: (a, w) => a.caller.workspace.revokeInvite({ id: w.workspaceId, invitationId: w.invitationId }) },
  "workspace.leave":        { on: "workspace", procedure: "workspace.leave", changes: true, expect: humans(U, "ok", "ok", "ok", "CONFLICT", N, N, N, "ok"), call: (a, w) => a.caller.workspace.leave({ id: w.workspaceId }) },
  "workspace.acceptInvite": { on: "workspace", procedure: "workspace.acceptInvite", changes: true, expect: humans(U, F, F, F, F, F, F, F, F), call: (a, w) => a.caller.workspace.acceptInvite({ token: w.inviteToken }) },

  // Workspace work: agents, projects, tasks, pipelines. Site roles give nothing in a workspace.
  "project.get":      { on: "work", procedure: "project.get", changes: false, expect: WORK_READ, call: (a, k) => a.caller.project.get({ id: k.projectId }) },
  "project.list":     { on: "work", procedure: "project.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.project.list({ workspaceId: k.workspaceId }) },
  "project.create":   { on: "work", procedure: "project.create", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.project.create({ workspaceId: k.workspaceId, name: "Mine" }) },
  "project.update":   { on: "work", procedure: "project.update", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.project.update({ id: k.projectId, name: "Renamed" }) },
  "project.archive":  { on: "work", procedure: "project.archive", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.project.archive({ id: k.projectId }) },
  "task.get":         { on: "work", procedure: "task.get", changes: false, expect: WORK_READ, call: (a, k) => a.caller.task.get({ id: k.taskId }) },
  "task.list":        { on: "work", procedure: "task.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.task.list({ projectId: k.projectId }) },
  "task.create":      { on: "work", procedure: "task.create", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.task.create({ projectId: k.projectId, title: "Mine" }) },
  "task.update":      { on: "work", procedure: "task.update", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.task.update({ id: k.taskId, title: "Renamed" }) },
  "task.cancel":      { on: "work", procedure: "task.cancel", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.task.cancel({ id: k.taskId }) },
  "task.dispatch":    { on: "work", procedure: "task.dispatch", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.task.dispatch({ id: k.taskId }) },
  "task.retry":       { on: "work", procedure: "task.retry", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.task.retry({ id: k.failedTaskId }) },
  "agent.list":       { on: "work", procedure: "agent.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.agent.list({ workspaceId: k.workspaceId }) },
  "agent.get":        { on: "work", procedure: "agent.get", changes: false, expect: WORK_READ, call: (a, k) => a.caller.agent.get({ id: k.agentId }) },
  "agent.create":     { on: "work", procedure: "agent.create", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.create({ workspaceId: k.workspaceId, name: "Mine", kind: "external" }) },
  "agent.update":     { on: "work", procedure: "agent.update", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.update({ id: k.agentId, description: "changed" }) },
  "agent.archive":    { on: "work", procedure: "agent.archive", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.archive({ id: k.agentId }) },
  "agent.createKey":  { on: "work", procedure: "agent.createKey", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.createKey({ agentId: k.agentId }) },
  "agent.revokeKey":  { on: "work", procedure: "agent.revokeKey", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.revokeKey({ agentId: k.agentId, keyId: k.keyId }) },
  "agent.deliveries": { on: "work", procedure: "agent.deliveries", changes: false, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.deliveries({ agentId: k.agentId }) },
  "agent.replayDelivery": { on: "work", procedure: "agent.replayDelivery", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.agent.replayDelivery({ deliveryId: k.deliveryId }) },
  "pipeline.templates": { on: "work", procedure: "pipeline.templates", changes: false, expect: SIGNED_IN, call: (a) => a.caller.pipeline.templates() },
  "pipeline.list":    { on: "work", procedure: "pipeline.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.pipeline.list({ projectId: k.projectId }) },
  "pipeline.get":     { on: "work", procedure: "pipeline.get", changes: false, expect: WORK_READ, call: (a, k) => a.caller.pipeline.get({ id: k.pipelineId }) },
  "pipeline.batches": { on: "work", procedure: "pipeline.batches", changes: false, expect: WORK_READ, call: (a, k) => a.caller.pipeline.batches({ projectId: k.projectId }) },
  "pipeline.batch":   { on: "work", procedure: "pipeline.batch", changes: false, expect: WORK_READ, call: (a, k) => a.caller.pipeline.batch({ id: k.batchId }) },
  "pipeline.start":   { on: "work", procedure: "pipeline.start", changes: true, expect: WORK_EDIT,
    call: (a, k) => a.caller.pipeline.start({ projectId: k.projectId, templateId: "research-draft-review", input: { topic: "matrix" } }) },
  "pipeline.startBatch": { on: "work", procedure: "pipeline.startBatch", changes: true, expect: WORK_EDIT,
    call: (a, k) => a.caller.pipeline.startBatch({ projectId: k.projectId, templateId: "research-draft-review", inputs: [{ topic: "matrix" }], idempotencyKey: `matrix-${k.projectId}` }) },

  // Sharing a project with clients: the workspace's owners and admins (the email has no account: an invitation).
  "project.share":    { on: "work", procedure: "project.share", changes: true, expect: WORK_MANAGE,
    call: (a, k) => a.caller.project.share({ projectId: k.projectId, email: `guest-${k.projectId}@example.test` }) },
  "project.unshare":  { on: "work", procedure: "project.unshare", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.project.unshare({ projectId: k.projectId, userId: k.clientId }) },
  "project.shares":   { on: "work", procedure: "project.shares", changes: false, expect: WORK_MANAGE, call: (a, k) => a.caller.project.shares({ projectId: k.projectId }) },

  // The portal: the client's shared project and its delivered work, nobody else's, nothing else.
  "portal.projects":  { on: "work", procedure: "portal.projects", changes: false, expect: PORTAL_LIST,
    call: async (a, k) => listed((await a.caller.portal.projects()).some((p) => p.id === k.projectId)) },
  "portal.projects (the project not shared)": { on: "work", procedure: "portal.projects", changes: false, expect: humans(U, X, X, X, X, X, X, X, X),
    call: async (a, k) => listed((await a.caller.portal.projects()).some((p) => p.id === k.otherProjectId)) },
  "portal.project":   { on: "work", procedure: "portal.project", changes: false, expect: PORTAL, call: (a, k) => a.caller.portal.project({ id: k.projectId }) },
  "portal.project (the project not shared)": { on: "work", procedure: "portal.project", changes: false, expect: NOBODY, call: (a, k) => a.caller.portal.project({ id: k.otherProjectId }) },
  "portal.deliverables": { on: "work", procedure: "portal.deliverables", changes: false, expect: humans(U, N, N, N, N, N, N, N, L),
    call: async (a, k) => listed((await a.caller.portal.deliverables({ projectId: k.projectId })).some((d) => d.id === k.delivered)) },
  "portal.deliverables (in review, rejected)": { on: "work", procedure: "portal.deliverables", changes: false, expect: humans(U, N, N, N, N, N, N, N, X),
    call: async (a, k) => listed((await a.caller.portal.deliverables({ projectId: k.projectId })).some((d) => d.id === k.inReview || d.id === k.rejected)) },
  "portal.deliverables (the project not shared)": { on: "work", procedure: "portal.deliverables", changes: false, expect: NOBODY, call: (a, k) => a.caller.portal.deliverables({ projectId: k.otherProjectId }) },
  "portal.deliverable": { on: "work", procedure: "portal.deliverable", changes: false, expect: PORTAL, call: (a, k) => a.caller.portal.deliverable({ id: k.delivered }) },
  "portal.deliverable (in review)": { on: "work", procedure: "portal.deliverable", changes: false, expect: NOBODY, call: (a, k) => a.caller.portal.deliverable({ id: k.inReview }) },
  "portal.deliverable (rejected)": { on: "work", procedure: "portal.deliverable", changes: false, expect: NOBODY, call: (a, k) => a.caller.portal.deliverable({ id: k.rejected }) },
  "portal.deliverable (the project not shared)": { on: "work", procedure: "portal.deliverable", changes: false, expect: NOBODY, call: (a, k) => a.caller.portal.deliverable({ id: k.otherDelivered }) },
  "portal.activity":  { on: "work", procedure: "portal.activity", changes: false, expect: PORTAL, call: (a, k) => a.caller.portal.activity({ projectId: k.projectId }) },
  "portal.rate":      { on: "work", procedure: "portal.rate", changes: true, expect: PORTAL, call: (a, k) => a.caller.portal.rate({ id: k.delivered, rating: 5 }) },
  "portal.rate (in review)": { on: "work", procedure: "portal.rate", changes: true, expect: NOBODY, call: (a, k) => a.caller.portal.rate({ id: k.inReview, rating: 5 }) },

  // Deliverables: the workspace's members and viewers read them; its owners and admins decide (site roles give nothing here).
  "deliverable.list":     { on: "work", procedure: "deliverable.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.deliverable.list({ workspaceId: k.workspaceId }) },
  "deliverable.get":      { on: "work", procedure: "deliverable.get", changes: false, expect: WORK_READ, call: (a, k) => a.caller.deliverable.get({ id: k.inReview }) },
  "deliverable.versions": { on: "work", procedure: "deliverable.versions", changes: false, expect: WORK_READ, call: (a, k) => a.caller.deliverable.versions({ id: k.inReview }) },
  "deliverable.queue":    { on: "work", procedure: "deliverable.queue", changes: false, expect: WORK_READ, call: (a, k) => a.caller.deliverable.queue({ workspaceId: k.workspaceId }) },
  "deliverable.activity": { on: "work", procedure: "deliverable.activity", changes: false, expect: WORK_READ, call: (a, k) => a.caller.deliverable.activity({ projectId: k.projectId }) },
  "deliverable.approve":  { on: "work", procedure: "deliverable.approve", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.deliverable.approve({ id: k.inReview }) },
  "deliverable.deliver":  { on: "work", procedure: "deliverable.deliver", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.deliverable.deliver({ id: k.inReview }) },
  "deliverable.approveMany": { on: "work", procedure: "deliverable.approveMany", changes: true, expect: WORK_MANAGE, call: async (a, k) => batchOutcome(await a.caller.deliverable.approveMany({ ids: [k.inReview] })) },
  "deliverable.deliverMany": { on: "work", procedure: "deliverable.deliverMany", changes: true, expect: WORK_MANAGE, call: async (a, k) => batchOutcome(await a.caller.deliverable.deliverMany({ ids: [k.inReview] })) },
  "deliverable.reject":   { on: "work", procedure: "deliverable.reject", changes: true, expect: WORK_MANAGE, call: (a, k) => a.caller.deliverable.reject({ id: k.inReview, reason: "Off brief" }) },
  "deliverable.requestRevision": { on: "work", procedure: "deliverable.requestRevision", changes: true, expect: WORK_MANAGE,
    call: (a, k) => a.caller.deliverable.requestRevision({ id: k.inReview, notes: "Shorter, please" }) },
  "pipeline.cancel":      { on: "work", procedure: "pipeline.cancel", changes: true, expect: WORK_EDIT, call: (a, k) => a.caller.pipeline.cancel({ id: k.pipelineId }) },

  // Deliverable SLAs: the workspace's members and viewers read them (the at-risk panel); only the watcher changes them.
  "sla.list":           { on: "workspace", procedure: "sla.list", changes: false, expect: humans(U, "ok", "ok", "ok", "ok", N, N, N, N), call: (a, w) => a.caller.sla.list({ workspaceId: w.workspaceId }) },
  "sla.atRisk":         { on: "workspace", procedure: "sla.atRisk", changes: false, expect: humans(U, "ok", "ok", "ok", "ok", N, N, N, N), call: (a, w) => a.caller.sla.atRisk({ workspaceId: w.workspaceId }) },
  "sla.forDeliverable": { on: "workspace", procedure: "sla.forDeliverable", changes: false, expect: humans(U, "ok", "ok", "ok", "ok", N, N, N, N),
    call: async (a, w) => a.caller.sla.forDeliverable({ deliverableId: await deliverableIn(w.workspaceId) }) },

  // A project's thread: the members who may see the project, and the clients it is shared with.
  "message.list":     { on: "work", procedure: "message.list", changes: false, expect: THREAD, call: (a, k) => a.caller.message.list({ projectId: k.projectId }) },
  "message.list (the project not shared)": { on: "work", procedure: "message.list", changes: false, expect: WORK_READ, call: (a, k) => a.caller.message.list({ projectId: k.otherProjectId }) },
  "message.post":     { on: "work", procedure: "message.post", changes: true, expect: THREAD, call: (a, k) => a.caller.message.post({ projectId: k.projectId, body: "hello" }) },
  "message.post (the project not shared)": { on: "work", procedure: "message.post", changes: true, expect: WORK_READ, call: (a, k) => a.caller.message.post({ projectId: k.otherProjectId, body: "hello" }) },

  // Runs: reads.
  "run.get":            { on: "run", procedure: "run.get", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC), call: (a, _w, r) => a.caller.run.get({ id: r.id }) },
  "run.events":         { on: "run", procedure: "run.events", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC), call: (a, _w, r) => a.caller.run.events({ id: r.id }) },
  "run.list":           { on: "run", procedure: "run.list", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, _w, r) => listed((await a.caller.run.list({ ...ARENA_LIST, goal: r.goal })).items.some((x) => x.id === r.id)) },
  // The arena from the team workspace, asked for by someone outside it too: it narrows, never widens.
  "run.list (workspaceId)": { on: "run", procedure: "run.list", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, w, r) => listed((await a.caller.run.list({ ...ARENA_LIST, goal: r.goal, workspaceId: w.workspaceId })).items.some((x) => x.id === r.id)) },
  "run.compare (by id)":   { on: "run", procedure: "run.compare", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC), call: (a, _w, r) => a.caller.run.compare({ id: r.id }) },
  "run.compare (by goal)": { on: "run", procedure: "run.compare", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, _w, r) => listed((await a.caller.run.compare({ goal: r.goal })).runs.some((x) => x.id === r.id)) },
  // Each run of the world has a model of its own: it shows in the statistics of those who may see it.
  "run.modelStats":     { on: "run", procedure: "run.modelStats", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, _w, r) => listed((await a.caller.run.modelStats()).some((m) => m.model === r.model)) },
  "betting.getOdds":        { on: "run", procedure: "betting.getOdds", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC), call: (a, _w, r) => a.caller.betting.getOdds({ runId: r.id }) },
  "betting.quote":          { on: "run", procedure: "betting.quote", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC),
    call: (a, _w, r) => a.caller.betting.quote({ runId: r.id, side: "yes", amount: 500 }) },
  "betting.pool":           { on: "run", procedure: "betting.pool", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC), call: (a, _w, r) => a.caller.betting.pool({ runId: r.id }) },
  // Every actor has a bet on each run of the shared world (placed, say, before they left the team).
  "betting.myBets":         { on: "run", procedure: "betting.myBets", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, _w, r) => listed((await a.caller.betting.myBets({ limit: 100 })).items.some((b) => b.runId === r.id)) },
  "betting.leaderboard":    { on: "run", procedure: "betting.leaderboard", changes: false, expect: byVisibility(LIST_PRIVATE, LIST_PUBLIC),
    call: async (a, _w, r) => listed((await a.caller.betting.leaderboard({ limit: 100 })).models.some((m) => m.model === r.model)) },
  "GET /api/artifacts/:id": { on: "run", procedure: "GET /api/artifacts/:id", changes: false, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC),
    call: (a, _w, r) => httpOutcome(a.auth(request(app).get(`/api/artifacts/${r.artifactId}`))) },

  // Runs: changes.
  "run.create":         { on: "run", procedure: "run.create", changes: true, expect: byVisibility(LAUNCH, LAUNCH),
    call: (a, w, _r, visibility) => a.caller.run.create({ ...launch(), workspaceId: w.workspaceId, visibility }) },
  "run.cancel":         { on: "run", procedure: "run.cancel", changes: true, expect: byVisibility(STEER_PRIVATE, STEER_PUBLIC), call: (a, _w, r) => a.caller.run.cancel({ id: r.id }) },
  "run.injectCredits":  { on: "run", procedure: "run.injectCredits", changes: true, expect: byVisibility(STEER_PRIVATE, STEER_PUBLIC),
    call: (a, _w, r) => a.caller.run.injectCredits({ id: r.id, amount: 100 }) },
  "run.submitPrompt":   { on: "run", procedure: "run.submitPrompt", changes: true, expect: byVisibility(STEER_PRIVATE, STEER_PUBLIC),
    call: (a, _w, r) => a.caller.run.submitPrompt({ id: r.id, text: "faster" }) },
  "run.reviewArtifact": { on: "run", procedure: "run.reviewArtifact", changes: true, expect: byVisibility(OPERATORS, OPERATORS),
    call: (a, _w, r) => a.caller.run.reviewArtifact({ artifactId: r.artifactId, state: "approved" }) },
  // The run's creator is none of the actors: everyone who may see the run may bet on it.
  "betting.placeBet":       { on: "run", procedure: "betting.placeBet", changes: true, expect: byVisibility(SEE_PRIVATE, SEE_PUBLIC),
    call: (a, _w, r) => a.caller.betting.placeBet({ runId: r.id, side: "yes", amount: 100 }) },

  // The agent bridge: only the run's own agent, whatever the caller's other credentials.
  "GET /run":               { on: "bridge", procedure: "GET /run", expect: agents("ok", F), call: (a, _w, base) => a.auth(bridge("get", base, "/run")) },
  "POST /events":           { on: "bridge", procedure: "POST /events", expect: agents("ok", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/events")).send({ events: [{ kind: "log", payload: { message: "hi" } }] }) },
  "POST /progress":         { on: "bridge", procedure: "POST /progress", expect: agents("ok", F), call: (a, _w, base) => a.auth(bridge("post", base, "/progress")).send({ value: 1 }) },
  "POST /artifacts":        { on: "bridge", procedure: "POST /artifacts", expect: agents("ok", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/artifacts")).field("kind", "file").attach("file", Buffer.from("notes"), { filename: "notes.txt", contentType: "text/plain" }) },
  "GET /prompts":           { on: "bridge", procedure: "GET /prompts", expect: agents("ok", F), call: (a, _w, base) => a.auth(bridge("get", base, "/prompts?wait=0")) },
  "POST /prompts/:promptId/ack": { on: "bridge", procedure: "POST /prompts/:promptId/ack", expect: agents("ok", F),
    call: (a, _w, base, r) => a.auth(bridge("post", base, `/prompts/${r.promptId}/ack`)).send({}) },
  "POST /credits/spend":    { on: "bridge", procedure: "POST /credits/spend", expect: agents("ok", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/credits/spend")).send({ amount: 1, reason: "a model call" }) },
  "POST /emails":           { on: "bridge", procedure: "POST /emails", expect: agents("ok", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/emails")).send({ to: "someone@example.test", subject: "hi", body: "hello" }) },
  "POST /payments":         { on: "bridge", procedure: "POST /payments", expect: agents("ok", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/payments")).send({ amountCents: 100, recipient: "a shop" }) },
  "POST /complete":         { on: "bridge", procedure: "POST /complete", expect: agents("ok", F), call: (a, _w, base) => a.auth(bridge("post", base, "/complete")).send({ outcome: "failed" }) },
  "POST /heartbeat":        { on: "bridge", procedure: "POST /heartbeat", expect: agents("ok", F), call: (a, _w, base) => a.auth(bridge("post", base, "/heartbeat")).send({}) },
  // No LLM endpoint is configured here: the run's own agent gets past the token check to that answer.
  "POST /llm/chat/completions": { on: "bridge", procedure: "POST /llm/chat/completions", expect: agents("UNAVAILABLE", F),
    call: (a, _w, base) => a.auth(bridge("post", base, "/llm/chat/completions")).send({ messages: [{ role: "user", content: "hi" }] }) },
};

/** Procedures that touch no run, workspace or member, and why they are not in the table. */
const NOT_ABOUT_RUNS = {
  "user.signUp": "the caller's own account",
  "user.me": "the caller's own account",
  "user.apiTokens": "the caller's own tokens",
  "user.createApiToken": "the caller's own tokens",
  "user.revokeApiToken": "the caller's own tokens",
  "user.ledger": "the caller's own money",
  "user.list": "site admins' user list (user.router.test.ts)",
  "user.setRole": "site roles (user.router.test.ts)",
  "run.agents": "agents, not runs",
  "run.providers": "launch providers, not runs",
  "run.setAgentRestricted": "agents, not runs",
  "run.setAgentVerifier": "agents, not runs",
  "billing.status": "the caller's own billing state",
  "billing.packs": "credit packs, not runs",
  "billing.createCheckout": "the caller's own top-up",
  "billing.workspace": "a workspace's plan: billing.matrix.test.ts, every caller",
  "billing.subscribe": "a workspace's plan: billing.matrix.test.ts, every caller",
  "billing.portal": "a workspace's plan: billing.matrix.test.ts, every caller",
  "billing.events": "site admins' Stripe events (billing.matrix.test.ts)",
  "llmCredential.list": "site admins' LLM credentials (llm-credential.router.test.ts)",
  "llmCredential.create": "site admins' LLM credentials (llm-credential.router.test.ts)",
  "llmCredential.update": "site admins' LLM credentials (llm-credential.router.test.ts)",
  "llmCredential.delete": "site admins' LLM credentials (llm-credential.router.test.ts)",
  "llmCredential.usage": "site admins' LLM credentials (llm-credential.router.test.ts)",
} as const;

/**
 * Procedures under a former name (runs were sandboxes, agents agent profiles): the very procedure of
 * their current name, so its row covers them. The sandbox router is the run router (root.ts).
 */
const FORMER_NAMES: Record<string, string> = {
  "run.profiles": "run.agents", // former name
  "run.setProfileRestricted": "run.setAgentRestricted", // former name
  "run.setProfileVerifier": "run.setAgentVerifier", // former name
};
const currentName = (procedure: string) => {
  const inRunRouter = procedure.replace(/^sandbox\./, "run."); // former name of the run router
  return FORMER_NAMES[inRunRouter] ?? inRunRouter;
};

/**
 * Cells the table says how they should be, which the code does not answer yet: they run as expected
 * failures, so when the code catches up vitest reports it and the cell leaves this set. Empty: every
 * cell holds.
 */
const PENDING = new Set<string>([]);

async function httpOutcome(req: Test): Promise<Outcome> {
  const res = await req;
  const byStatus: Record<number, Outcome> = { 401: U, 403: F, 404: N, 409: "CONFLICT", 503: "UNAVAILABLE" };
  if (res.status < 300) return "ok";
  const outcome = byStatus[res.status];
  if (!outcome) throw new Error(`unexpected HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  return outcome;
}

let demoAgentId: string;
const launch = () => ({
  goal: "Launched in the matrix",
  metric: "points",
  targetValue: 10,
  agentId: demoAgentId,
  durationMinutes: 10,
  credits: config.MIN_RUN_CREDITS_CENTS,
});

type TestUser = Awaited<ReturnType<typeof makeUser>>;
type Person = Exclude<Human, "anonymous"> | "creator" | "target" | "elsewhere";
let people: Record<Person, TestUser & { apiToken: string }>;

beforeAll(async () => {
  const agents = await ensureBuiltinAgents(db);
  demoAgentId = agents.find((p) => p.policy === "demo")!.id;
  const roles: Partial<Record<Person, "operator" | "admin">> = { siteOperator: "operator", siteAdmin: "admin" };
  const names: Person[] = [
    "viewer",
    "member",
    "admin",
    "owner",
    "otherWorkspace",
    "siteOperator",
    "siteAdmin",
    "client",
    "creator",
    "target",
    "elsewhere",
  ];
  const made = await Promise.all(
    names.map(async (name) => {
      const u = await makeUser({ grant: 1_000_000, name, ...(roles[name] ? { role: roles[name] } : {}) });
      return [name, { ...u, apiToken: (await createApiToken(db, u.id, "matrix")).token }] as const;
    }),
  );
  people = Object.fromEntries(made) as typeof people;
  await people.otherWorkspace.caller.workspace.create({ name: "Elsewhere" });
  // The shared world is the first: its models sort first among the matrix's ("matrix-1-…"), so a
  // leaderboard of 100 shows them whatever the later worlds add.
  shared = await makeWorld({ runs: true, bets: true, work: true });
});

let worlds = 0;

/** A team workspace (owner, admin, member, viewer, target, the runs' creator), a pending invitation, and a private and a public run. */
async function makeWorld(opts: { runs: boolean; bets?: boolean; work?: boolean }): Promise<World> {
  worlds += 1;
  const tag = `${worlds}-${Math.random().toString(36).slice(2, 8)}`;
  const roles: Array<[Person, WorkspaceRole]> = [
    ["owner", "owner"],
    ["admin", "admin"],
    ["member", "member"],
    ["viewer", "viewer"],
    ["target", "member"],
    ["creator", "member"],
    ["client", "client"],
  ];
  const ws = await db.workspace.create({
    data: {
      name: "Acme",
      slug: `acme-${tag}`,
      createdById: people.owner.id,
      members: { create: roles.map(([who, role]) => ({ userId: people[who].id, role })) },
    },
  });
  const invited = await inviteToWorkspace(db, {
    actorId: people.owner.id,
    workspaceId: ws.id,
    email: `someone-else-${ws.id}@example.test`,
    role: "member",
    publicUrl: "http://paddock.test",
    ttlDays: 7,
  });
  if (invited.status !== "invited") throw new Error("expected a pending invitation");
  const world = {
    workspaceId: ws.id,
    targetId: people.target.id,
    inviteToken: decodeURIComponent(invited.link.split("/invite/")[1]!),
    invitationId: invited.invitation.id,
  };
  const work = opts.work ? await makeWork(ws.id) : null;
  if (!opts.runs) return { ...world, work, runs: null, agentTokens: { workspace: "", public: "" }, otherAgentToken: "" };
  const [priv, pub, other] = await Promise.all([
    makeWorldRun(ws.id, "workspace", tag, opts),
    makeWorldRun(ws.id, "public", tag, opts),
    makeWorldRun(null, "workspace", tag, {}),
  ]);
  return {
    ...world,
    work,
    runs: { workspace: priv.run, public: pub.run },
    agentTokens: { workspace: priv.agentToken, public: pub.agentToken },
    otherAgentToken: other.agentToken,
  };
}

/** A live run by the creator (with a finished sibling of the same model), its budget, bridge token, an artifact and a pending prompt. */
async function makeWorldRun(workspaceId: string | null, visibility: Visibility, tag: string, opts: { bets?: boolean }) {
  const model = `matrix-${tag}-${visibility}-${workspaceId ? "team" : "elsewhere"}`;
  const goal = `Matrix goal ${model}`;
  const creator = workspaceId ? people.creator : people.elsewhere;
  const placement = { createdById: creator.id, model, visibility, ...(workspaceId ? { workspaceId } : {}) };
  const run = await makeRun(db, placement);
  const finished = await makeRun(db, { ...placement, status: "succeeded" });
  const agentToken = newToken("pdkrun");
  await db.run.updateMany({ where: { id: { in: [run.runId, finished.runId] } }, data: { goal } });
  await db.run.update({ where: { id: run.runId }, data: { tokenHash: hashToken(agentToken), creditBudget: 1_000 } });
  await db.$transaction(async (tx) => {
    await tx.ledgerAccount.create({ data: { key: runAccountKey(run.runId), kind: "run" } });
    await transfer(tx, { from: userAccountKey(creator.id), to: runAccountKey(run.runId), amount: 1_000, kind: "credit_budget" });
  });
  const storageKey = `${run.runId}/notes`;
  const file = artifactPath(path.resolve(config.DATA_DIR, "artifacts"), storageKey);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, "notes");
  const artifact = await db.artifact.create({
    data: { runId: run.runId, kind: "file", filename: "notes.txt", contentType: "text/plain", size: 5, storageKey },
    select: { id: true },
  });
  const prompt = await db.promptInjection.create({
    data: { runId: run.runId, text: "hello", createdById: creator.id },
    select: { id: true },
  });
  if (opts.bets) {
    const bettors: Person[] = ["viewer", "member", "admin", "owner", "otherWorkspace", "siteOperator", "siteAdmin", "client"];
    await seedBets(
      db,
      run,
      bettors.map((who) => ({ userId: people[who].id, side: "no" as const, amount: 100 })),
    );
  }
  return { run: { id: run.runId, goal, model, artifactId: artifact.id, promptId: prompt.id }, agentToken };
}

/** The workspace's work: a project shared with the client and one not, a task, an agent with a key and a delivery, a pipeline and a batch, deliverables. */
async function makeWork(workspaceId: string): Promise<WorldWork> {
  const owner = people.owner.caller;
  const project = await owner.project.create({ workspaceId, name: "Shared with the client" });
  const other = await owner.project.create({ workspaceId, name: "Internal" });
  await db.projectShare.create({ data: { projectId: project.id, userId: people.client.id, createdById: people.owner.id } });
  const task = await owner.task.create({ projectId: project.id, title: "Matrix task" });
  const failed = await owner.task.create({ projectId: project.id, title: "Failed task" });
  await db.task.update({ where: { id: failed.id }, data: { status: "failed" } });
  const agent = await owner.agent.create({ workspaceId, name: "Matrix agent", kind: "external" });
  const key = await owner.agent.createKey({ agentId: agent.id });
  const delivery = await db.webhookDelivery.create({
    data: {
      agentId: agent.id,
      url: "http://agent.test/hook",
      eventType: "task.assigned",
      webhookId: `msg_${task.id}`,
      payload: {},
      status: "failed",
    },
  });
  const pipeline = await owner.pipeline.start({ projectId: other.id, templateId: "research-draft-review", input: { topic: "world" } });
  const batch = await owner.pipeline.startBatch({
    projectId: other.id,
    templateId: "research-draft-review",
    inputs: [{ topic: "world" }],
    idempotencyKey: `world-${other.id}`,
  });
  const base = { projectId: project.id, createdById: people.owner.id, agentId: agent.id };
  const [delivered, inReview, rejected, otherDelivered] = await Promise.all([
    makeDeliverable(db, { ...base, title: "Delivered", versions: [{ status: "rejected" }, { status: "delivered" }] }),
    makeDeliverable(db, { ...base, title: "In review", versions: [{ status: "review" }] }),
    makeDeliverable(db, { ...base, title: "Rejected", versions: [{ status: "rejected" }] }),
    makeDeliverable(db, { ...base, projectId: other.id, title: "Delivered elsewhere", versions: [{ status: "delivered" }] }),
  ]);
  return {
    workspaceId,
    projectId: project.id,
    otherProjectId: other.id,
    taskId: task.id,
    failedTaskId: failed.id,
    agentId: agent.id,
    keyId: key.id,
    deliveryId: delivery.id,
    pipelineId: pipeline.id,
    batchId: batch.id,
    delivered: delivered.id,
    inReview: inReview.id,
    rejected: rejected.id,
    otherDelivered: otherDelivered.id,
    clientId: people.client.id,
  };
}

let shared: World;

function accessFor(actor: Actor, w: World, visibility: Visibility): Access {
  if (actor === "anonymous") return { caller: anonymousCaller(), auth: (req) => req };
  if (actor === "thisRunsAgent" || actor === "otherRunsAgent") {
    const token = actor === "thisRunsAgent" ? w.agentTokens[visibility] : w.otherAgentToken;
    return { caller: anonymousCaller(), auth: (req) => req.set("authorization", `Bearer ${token}`) };
  }
  const person = people[actor];
  return { caller: person.caller, auth: (req) => req.set("authorization", `Bearer ${person.apiToken}`) };
}

/** Everything a refused call must leave as it was. */
async function snapshot(w: World) {
  const runIds = w.runs ? Object.values(w.runs).map((r) => r.id) : [];
  return {
    workspace: await db.workspace.findUnique({ where: { id: w.workspaceId }, select: { name: true, slug: true } }),
    members: await db.workspaceMember.findMany({
      where: { workspaceId: w.workspaceId },
      select: { userId: true, role: true },
      orderBy: { userId: "asc" },
    }),
    invitations: await db.workspaceInvitation.findMany({
      where: { workspaceId: w.workspaceId },
      select: { email: true, acceptedAt: true },
      orderBy: { email: "asc" },
    }),
    workspaces: await db.workspace.count(),
    runs: await db.run.findMany({
      where: { id: { in: runIds } },
      select: { id: true, status: true, creditBudget: true, creditsSpent: true, currentProgress: true, eventSeq: true },
      orderBy: { id: "asc" },
    }),
    runCount: await db.run.count(),
    prompts: await db.promptInjection.findMany({
      where: { runId: { in: runIds } },
      select: { id: true, status: true },
      orderBy: { id: "asc" },
    }),
    steeredBy: await db.pool.findMany({ where: { runId: { in: runIds } }, select: { steeredBy: true }, orderBy: { id: "asc" } }),
    artifacts: await db.artifact.findMany({
      where: { runId: { in: runIds } },
      select: { id: true, reviewState: true },
      orderBy: { id: "asc" },
    }),
    outbound: (await db.outboundEmail.count()) + (await db.outboundPayment.count()),
    work: w.work ? await workSnapshot(w.work) : null,
    money: await moneySnapshot(db),
  };
}

/** The work a refused call must leave as it was. */
async function workSnapshot(k: WorldWork) {
  const where = { workspaceId: k.workspaceId };
  return {
    projects: await db.project.findMany({ where, select: { id: true, name: true, status: true }, orderBy: { id: "asc" } }),
    tasks: await db.task.findMany({ where, select: { id: true, title: true, status: true }, orderBy: { id: "asc" } }),
    agents: await db.agent.findMany({
      where,
      select: { id: true, description: true, active: true, ratingSum: true },
      orderBy: { id: "asc" },
    }),
    keys: await db.agentKey.findMany({ where: { agentId: k.agentId }, select: { id: true, revokedAt: true }, orderBy: { id: "asc" } }),
    deliveries: await db.webhookDelivery.findMany({
      where: { agentId: k.agentId },
      select: { id: true, status: true },
      orderBy: { id: "asc" },
    }),
    pipelines: await db.pipeline.count({ where: { project: where } }),
    shares: await db.projectShare.findMany({
      where: { project: where },
      select: { projectId: true, userId: true },
      orderBy: { userId: "asc" },
    }),
    messages: await db.projectMessage.count({ where }),
    ratings: await db.deliverable.findMany({ where, select: { id: true, rating: true }, orderBy: { id: "asc" } }),
  };
}

const OUTCOMES: readonly unknown[] = ["ok", L, X, U, F, N, "CONFLICT", "UNAVAILABLE"] satisfies Outcome[];

/** A procedure's result is "ok"; a row that works out its own outcome (a list, an HTTP route) returns it. */
const trpcOutcome = (call: Promise<unknown>): Promise<Outcome> =>
  call.then(
    (v) => (OUTCOMES.includes(v) ? (v as Outcome) : "ok"),
    (e: unknown) => {
      if (e instanceof TRPCError) return e.code as Outcome;
      throw e;
    },
  );

interface Cell {
  name: string;
  row: Row;
  actor: Actor;
  visibility: Visibility;
  expected: Outcome;
}

const CELLS: Cell[] = Object.entries(MATRIX).flatMap(([key, row]): Cell[] => {
  if (row.on === "workspace" || row.on === "work")
    return HUMANS.map((actor) => ({ name: `${key} · ${actor}`, row, actor, visibility: "workspace", expected: row.expect[actor] }));
  if (row.on === "bridge") {
    // The bridge does not look at visibility: its private run stands for both.
    return [...HUMANS, ...AGENTS].map((actor) => ({
      name: `${key} · ${actor}`,
      row,
      actor,
      visibility: "workspace",
      expected: row.expect[actor],
    }));
  }
  return (["workspace", "public"] as const).flatMap((visibility) =>
    HUMANS.map((actor) => ({ name: `${key} · ${visibility} · ${actor}`, row, actor, visibility, expected: row.expect[visibility][actor] })),
  );
});

/**
 * A work row's world, kept for the row's next caller while calls are refused: a refused call is
 * proven to leave it as it was (the snapshot), so only a call that went through costs a new one.
 */
const unchangedWorkWorld = new Map<Row, World>();

async function worldFor(row: Row, changes: boolean): Promise<World> {
  if (!changes) return shared;
  if (row.on !== "work") return makeWorld({ runs: row.on !== "workspace" });
  const kept = unchangedWorkWorld.get(row);
  unchangedWorkWorld.delete(row);
  return kept ?? makeWorld({ runs: false, work: true });
}

async function runCell(cell: Cell) {
  const { row, actor, visibility, expected } = cell;
  const changes = row.on === "bridge" ? row.procedure !== "GET /run" : row.changes;
  const world = await worldFor(row, changes);
  const access = accessFor(actor, world, visibility);
  const before = changes ? await snapshot(world) : null;
  const run = world.runs?.[visibility];
  const outcome =
    row.on === "workspace"
      ? await trpcOutcome(row.call(access, world))
      : row.on === "work"
        ? await trpcOutcome(row.call(access, world.work!, world))
        : row.on === "run"
          ? await trpcOutcome(row.call(access, world, run!, visibility))
          : await httpOutcome(row.call(access, world, `${BRIDGE_BASE_PATH}/runs/${run!.id}`, run!));
  expect(outcome).toBe(expected);
  if (before && !["ok", "listed", "unlisted", "UNAVAILABLE"].includes(expected)) {
    expect(await snapshot(world)).toEqual(before);
    if (row.on === "work") unchangedWorkWorld.set(row, world);
  }
}

describe("authorization matrix", () => {
  it("has a row for every procedure, or says why it touches no run, workspace or member", () => {
    const all = appRouter._def.procedures as Record<string, unknown>;
    const procedures = Object.keys(all)
      .filter((p) => currentName(p) === p)
      .sort();
    for (const former of Object.keys(all).filter((p) => currentName(p) !== p)) expect(all[former]).toBe(all[currentName(former)]);
    const covered = new Set([...Object.values(MATRIX).map((r) => r.procedure), ...Object.keys(NOT_ABOUT_RUNS)]);
    expect(procedures.filter((p) => !covered.has(p))).toEqual([]);
    expect([...covered].filter((p) => !p.includes(" ") && !procedures.includes(p))).toEqual([]);
  });

  it("has a row for every artifact and bridge route", () => {
    const routes = (router: ReturnType<typeof createBridgeRouter>) =>
      router.stack.flatMap((layer) =>
        layer.route
          ? Object.keys((layer.route as unknown as { methods: object }).methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`)
          : [],
      );
    const inTable = new Set(Object.values(MATRIX).map((r) => r.procedure));
    const artifactRoutes = routes(createArtifactRouter({ providers: [] })).map((r) => r.replace(" /", " /api/artifacts/"));
    expect([...artifactRoutes, ...routes(createBridgeRouter())].filter((r) => !inTable.has(r))).toEqual([]);
  });

  for (const cell of CELLS) {
    const test = PENDING.has(cell.name) ? it.fails : it;
    test(`${cell.name} → ${cell.expected}`, () => runCell(cell));
  }

  it("refuses a made-up run id with the very answer a hidden run gets", async () => {
    const outsider = people.otherWorkspace;
    const hidden = shared.runs!.workspace.id;
    for (const id of [hidden, "no-such-run"]) {
      const err = await outsider.caller.run.get({ id }).catch((e: unknown) => e as TRPCError);
      expect(err).toMatchObject({ code: "NOT_FOUND", message: "no run with that id" });
      const bet = await outsider.caller.betting.placeBet({ runId: id, side: "yes", amount: 100 }).catch((e: unknown) => e as TRPCError);
      expect(bet).toMatchObject({ code: "NOT_FOUND", message: "no run with that id" });
    }
    const missing = await request(app).get("/api/artifacts/no-such-artifact").set("authorization", `Bearer ${outsider.apiToken}`);
    const hiddenFile = await request(app)
      .get(`/api/artifacts/${shared.runs!.workspace.artifactId}`)
      .set("authorization", `Bearer ${outsider.apiToken}`);
    expect([hiddenFile.status, hiddenFile.body]).toEqual([missing.status, missing.body]);
  });
});
