// What a client sees of a project shared with them: its name, brief, deadline and status; its
// delivered deliverables with only their delivered versions (never a draft, a version in review,
// one approved but not delivered, or a rejected one), with no cost, run, agent or attempt; the
// client-visible activity; and their rating of a delivery, which feeds the agent's performance.
import { AppError } from "../../lib/errors";
import type { Db, DbClient, Prisma } from "../../lib/db";
import { portalFileUrl, type PortalFile, type RateInput } from "@shared/portal";
import { portalProjectSelect, sharedProject, sharedWith } from "./access";

const deliverableNotFound = (field = "id") => new AppError("NOT_FOUND", "no deliverable with that id among yours", { field });

type PortalProjectRow = Prisma.ProjectGetPayload<{ select: typeof portalProjectSelect }>;

function projectView(p: PortalProjectRow) {
  return {
    id: p.id,
    workspaceId: p.workspaceId,
    workspaceName: p.workspace.name,
    name: p.name,
    brief: p.brief,
    status: p.status,
    deadline: p.deadline,
    createdAt: p.createdAt,
  };
}
export type PortalProject = ReturnType<typeof projectView>;

/** The delivered versions of a deliverable: the only ones a client ever sees. */
const DELIVERED = { status: "delivered" } as const satisfies Prisma.DeliverableVersionWhereInput;

/** The projects shared with the user, across workspaces, with how many deliveries each has. */
export async function listSharedProjects(db: DbClient, args: { userId: string }) {
  const rows = await db.project.findMany({
    where: sharedWith(args.userId),
    select: { ...portalProjectSelect, _count: { select: { deliverables: { where: { versions: { some: DELIVERED } } } } } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(({ _count, ...p }) => ({ ...projectView(p), deliveredCount: _count.deliverables }));
}

export async function getSharedProject(db: DbClient, args: { userId: string; projectId: string }): Promise<PortalProject> {
  return projectView(await sharedProject(db, { userId: args.userId, projectId: args.projectId }));
}

const versionSelect = {
  id: true,
  number: true,
  title: true,
  body: true,
  files: true,
  runId: true,
  decidedAt: true,
  createdAt: true,
} satisfies Prisma.DeliverableVersionSelect;

type VersionRow = Prisma.DeliverableVersionGetPayload<{ select: typeof versionSelect }>;

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/** A version's files as a client sees them: name and type, and the portal's URL for the run's artifacts (never the run). */
export function portalFiles(version: Pick<VersionRow, "id" | "files" | "runId">): PortalFile[] {
  const files = Array.isArray(version.files) ? version.files : [];
  return files.flatMap((f): PortalFile[] => {
    if (!f || typeof f !== "object" || Array.isArray(f)) return [];
    const o = f as Record<string, unknown>;
    const artifactId = version.runId ? (str(o.artifactId) ?? str(o.id)) : null;
    return [
      {
        artifactId,
        filename: str(o.filename) ?? str(o.name) ?? "file",
        contentType: str(o.contentType) ?? "application/octet-stream",
        kind: str(o.kind) ?? "file",
        previewUrl: artifactId ? portalFileUrl(version.id, artifactId) : null,
      },
    ];
  });
}

function versionView(v: VersionRow) {
  return { id: v.id, number: v.number, title: v.title, body: v.body, files: portalFiles(v), deliveredAt: v.decidedAt ?? v.createdAt };
}

const deliverableSelect = {
  id: true,
  projectId: true,
  deliveredAt: true,
  rating: true,
  ratingComment: true,
  ratedAt: true,
} satisfies Prisma.DeliverableSelect;

/** The project's deliverables that have a delivered version: the newest delivered version's title and excerpt. */
export async function listDeliveredDeliverables(db: DbClient, args: { userId: string; projectId: string }) {
  const project = await sharedProject(db, { userId: args.userId, projectId: args.projectId, field: "projectId" });
  const rows = await db.deliverable.findMany({
    where: { projectId: project.id, versions: { some: DELIVERED } },
    select: { ...deliverableSelect, versions: { where: DELIVERED, orderBy: { number: "desc" }, take: 1, select: versionSelect } },
    orderBy: [{ deliveredAt: { sort: "desc", nulls: "last" } }, { id: "asc" }],
  });
  return rows.map(({ versions, ...d }) => {
    const v = versionView(versions[0]!);
    return {
      ...d,
      title: v.title,
      version: v.number,
      deliveredAt: d.deliveredAt ?? v.deliveredAt,
      excerpt: v.body.slice(0, 280),
      fileCount: v.files.length,
    };
  });
}

/** One delivered deliverable with every delivered version, newest first; NOT_FOUND for anything else. */
export async function getDeliveredDeliverable(db: DbClient, args: { userId: string; deliverableId: string }) {
  const row = await db.deliverable.findFirst({
    where: { id: args.deliverableId, versions: { some: DELIVERED }, project: sharedWith(args.userId) },
    select: {
      ...deliverableSelect,
      project: { select: { name: true } },
      versions: { where: DELIVERED, orderBy: { number: "desc" }, select: versionSelect },
    },
  });
  if (!row) throw deliverableNotFound();
  const { versions, project, ...d } = row;
  const views = versions.map(versionView);
  return { ...d, projectName: project.name, title: views[0]!.title, deliveredAt: d.deliveredAt ?? views[0]!.deliveredAt, versions: views };
}

/**
 * The client's rating of a delivery (1–5, with an optional comment), once per deliverable: it is
 * added to the performance of the agent that made the newest delivered version, and shows in the
 * project's activity. Returns what the caller publishes once committed.
 */
export async function rateDeliverable(db: Db, args: RateInput & { userId: string; now?: Date }) {
  const now = args.now ?? new Date();
  return db.$transaction(async (tx) => {
    const row = await tx.deliverable.findFirst({
      where: { id: args.id, versions: { some: DELIVERED }, project: sharedWith(args.userId) },
      select: {
        id: true,
        projectId: true,
        workspaceId: true,
        status: true,
        latestVersion: true,
        agentId: true,
        versions: { where: DELIVERED, orderBy: { number: "desc" }, take: 1, select: { number: true, agentId: true } },
      },
    });
    if (!row) throw deliverableNotFound();
    const comment = args.comment ? args.comment : null;
    // Conditional, so two tabs rating at once count once.
    const { count } = await tx.deliverable.updateMany({
      where: { id: row.id, rating: null },
      data: { rating: args.rating, ratingComment: comment, ratedById: args.userId, ratedAt: now },
    });
    if (count === 0) throw new AppError("CONFLICT", "this delivery has been rated already", { field: "id" });
    const agentId = row.versions[0]?.agentId ?? row.agentId;
    if (agentId) {
      await tx.agent.update({ where: { id: agentId }, data: { ratingSum: { increment: args.rating }, ratingCount: { increment: 1 } } });
    }
    await tx.projectActivity.create({
      data: {
        workspaceId: row.workspaceId,
        projectId: row.projectId,
        actorId: args.userId,
        kind: "deliverable.rated",
        subjectId: row.id,
        data: { rating: args.rating, comment, version: row.versions[0]?.number ?? null },
        clientVisible: true,
        createdAt: now,
      },
    });
    return {
      deliverable: { id: row.id, rating: args.rating, ratingComment: comment, ratedAt: now },
      update: {
        deliverableId: row.id,
        projectId: row.projectId,
        workspaceId: row.workspaceId,
        status: row.status,
        latestVersion: row.latestVersion,
        at: now.toISOString(),
      },
    };
  });
}

/** Keys a client-visible activity row's data never shows, whoever wrote it. */
const HIDDEN_DATA = /cost|run|agent|attempt|cents|token/i;

/** The project's activity a client may see (deliveries, ratings, messages), newest first. */
export async function clientActivity(db: DbClient, args: { userId: string; projectId: string; limit?: number }) {
  const project = await sharedProject(db, { userId: args.userId, projectId: args.projectId, field: "projectId" });
  const rows = await db.projectActivity.findMany({
    where: { projectId: project.id, clientVisible: true },
    select: { id: true, kind: true, subjectId: true, data: true, createdAt: true, actor: { select: { name: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: args.limit ?? 100,
  });
  return rows.map(({ actor, data, ...r }) => ({
    ...r,
    actorName: actor?.name ?? null,
    data:
      data && typeof data === "object" && !Array.isArray(data)
        ? Object.fromEntries(Object.entries(data).filter(([k]) => !HIDDEN_DATA.test(k)))
        : {},
  }));
}

/** A delivered version's artifact, if the version is delivered on a project shared with the user and lists the artifact. */
export async function deliveredArtifact(db: DbClient, args: { userId: string; versionId: string; artifactId: string }) {
  const version = await db.deliverableVersion.findFirst({
    where: { id: args.versionId, ...DELIVERED, deliverable: { project: sharedWith(args.userId) } },
    select: { id: true, files: true, runId: true },
  });
  if (!version?.runId || !portalFiles(version).some((f) => f.artifactId === args.artifactId)) return null;
  return db.artifact.findFirst({
    where: { id: args.artifactId, runId: version.runId },
    select: { storageKey: true, contentType: true, filename: true },
  });
}
