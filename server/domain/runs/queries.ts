// Read models for runs: detail, lists, comparison and per-model statistics.
import { AppError } from "../../lib/errors";
import { Prisma, type DbClient } from "../../lib/db";
import type { RunStatus } from "../../generated/prisma/enums";
import { JUDGED_RUN_STATUSES } from "@shared/run-status";
import { statusList } from "../../lib/run-status-sql";
import { eventSelect } from "./events";
import { artifactSelect } from "./artifacts";
import { readRunStanding } from "./standing";
import { runNotFound, visibleRunsSql, visibleRunsWhere, visibleRunWhere, type Viewer } from "../workspaces/visibility";
import { readRunSummaries } from "./run-summaries-sql";
import type { PgClient } from "../../lib/pg";

/** A run's goal and where it stands: what every read of a run starts from. */
const runGoalSelect = {
  id: true,
  goal: true,
  metric: true,
  targetValue: true,
  currentProgress: true,
  status: true,
} satisfies Prisma.RunSelect;

export const runSummarySelect = {
  ...runGoalSelect,
  statusReason: true,
  error: true,
  summary: true,
  provider: true,
  durationMinutes: true,
  idleTimeoutMinutes: true,
  creditBudget: true,
  creditsSpent: true,
  costCents: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  expiresAt: true,
  lastActivityAt: true,
  reachedTargetAt: true,
  verifier: true,
  verifiedProgress: true,
  verifiedAt: true,
  verifyRequestedAt: true,
  agent: { select: { id: true, name: true, model: true, policy: true, specialization: true } },
  createdBy: { select: { id: true, name: true } },
  visibility: true,
  workspace: { select: { id: true, name: true } },
  pool: {
    select: {
      id: true,
      yesTotal: true,
      noTotal: true,
      betCount: true,
      status: true,
      outcome: true,
      locksAt: true,
      lockReason: true,
      lockedAt: true,
      settledAt: true,
    },
  },
} satisfies Prisma.RunSelect;

type RunSummaryRow = Prisma.RunGetPayload<{ select: typeof runSummarySelect }>;

function shapeSummary(row: RunSummaryRow) {
  const { pool, ...rest } = row;
  return {
    ...rest,
    pool: pool ? { ...pool, yesTotal: Number(pool.yesTotal), noTotal: Number(pool.noTotal) } : null,
  };
}
export type RunSummary = ReturnType<typeof shapeSummary>;

/** What a run's own agent reads of it (the bridge's GET /run): its goal, budget, config, and who will see its reports. */
export async function runForAgent(db: DbClient, runId: string) {
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    select: {
      ...runGoalSelect,
      creditBudget: true,
      creditsSpent: true,
      agentConfig: true,
      agent: { select: { model: true, policy: true } },
      visibility: true,
      workspace: { select: { id: true, name: true } },
    },
  });
  const { agent, ...rest } = run;
  return { ...rest, agentConfig: rest.agentConfig ?? {}, model: agent.model, policy: agent.policy };
}

/** Everything the run page needs in one call; not found unless the viewer may see the run. */
export async function getRun(db: DbClient, id: string, opts: { viewer: Viewer; eventLimit?: number }) {
  // The viewer's part in the run (for the client to explain what shared/run-rules.ts allows them)
  // is read alongside the run, not after it: run.get is the run page's one round trip.
  const [row, standing] = await Promise.all([
    db.run.findUnique({
      where: visibleRunWhere(opts.viewer, id),
      select: {
        ...runSummarySelect,
        agentConfig: true,
        eventSeq: true,
        verifierOutput: true,
        events: { orderBy: { seq: "desc" }, take: opts.eventLimit ?? 100, select: eventSelect },
        payments: {
          orderBy: { createdAt: "desc" },
          take: 50,
          select: { id: true, amountCents: true, currency: true, recipient: true, memo: true, createdAt: true },
        },
        emails: { orderBy: { createdAt: "desc" }, take: 50, select: { id: true, to: true, subject: true, body: true, createdAt: true } },
        artifacts: { orderBy: { createdAt: "desc" }, take: 100, select: artifactSelect },
        prompts: {
          orderBy: { createdAt: "desc" },
          take: 50,
          select: { id: true, text: true, status: true, response: true, createdAt: true, acknowledgedAt: true },
        },
      },
    }),
    readRunStanding(db, { runId: id, viewer: opts.viewer }).catch((e: unknown) => {
      if (e instanceof AppError && e.code === "NOT_FOUND") return null;
      throw e;
    }),
  ]);
  if (!row || !standing) throw runNotFound();
  const { events, payments, emails, artifacts, prompts, agentConfig, eventSeq, verifierOutput, ...summary } = row;
  const viewer = { hasBet: standing.hasBet, hasPrompted: standing.hasPrompted, workspaceRole: standing.workspaceRole };
  return { ...shapeSummary(summary), agentConfig, verifierOutput, lastSeq: eventSeq, events, payments, emails, artifacts, prompts, viewer };
}

export interface ListRunsInput {
  /** Who is asking: the list holds only the runs they may see (workspaces/visibility.ts). */
  viewer: Viewer | null;
  status?: RunStatus[] | undefined;
  model?: string | undefined;
  createdById?: string | undefined;
  goal?: string | undefined;
  /** Only this workspace's runs — still only those the viewer may see (its public runs, to a non-member). */
  workspaceId?: string | undefined;
  /** With `workspaceId`: every public run too — the arena as seen from that workspace. Narrows what the viewer may see, never widens it. */
  withPublic?: boolean | undefined;
  /** The last run of the previous page: the page continues after it, newest first. */
  cursor?: string | undefined;
  limit: number;
}

/**
 * Runs newest first (createdAt, then id), `limit` at a time, each page continuing after the cursor.
 *
 * The page's ids come from one Prisma query (`db`): the visibility rule's `where` (a semi-join on the
 * viewer's memberships) AND the filters, walked in the order of the (createdAt, id) indexes
 * (migration 20261202205000_arena_indexes), then their rows in one statement on the `pg` pool (`pool`, run-summaries-sql.ts).
 * The cursor is a keyset bound — strictly after the cursor run's (createdAt, id) — rather than
 * Prisma's `cursor` option, whose bound PostgreSQL cannot take from an index (a page deep in the
 * list scanned every newer run) and whose `skip: 1` dropped a run whenever the cursor run itself had
 * left the list (a status filter and a run that finished meanwhile).
 *
 * `nextCursor` carries that pair, `<createdAt in ms>:<id>`, so the next page reads no cursor run: any
 * pair only bounds the runs the viewer may see anyway. A bare run id is taken too, read as far as
 * the viewer may see it: one they may not see, or that does not exist, gives an empty page.
 */
export async function listRuns(db: DbClient, pool: PgClient, input: ListRunsInput) {
  const visible = visibleRunsWhere(input.viewer);
  const after = input.cursor ? await cursorPosition(db, input.cursor, visible) : null;
  if (input.cursor && !after) return { items: [], nextCursor: null };
  const where: Prisma.RunWhereInput = {
    AND: [
      visible,
      {
        ...(input.status?.length ? { status: { in: input.status } } : {}),
        ...(input.model ? { agent: { model: input.model } } : {}),
        ...(input.createdById ? { createdById: input.createdById } : {}),
        ...(input.goal ? { goal: input.goal } : {}),
        ...(input.workspaceId
          ? input.withPublic
            ? { OR: [{ visibility: "public" }, { workspaceId: input.workspaceId }] }
            : { workspaceId: input.workspaceId }
          : {}),
      },
      // (createdAt, id) < the cursor's, with the bare `createdAt <=` the index range starts from.
      after
        ? {
            createdAt: { lte: after.createdAt },
            OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
          }
        : {},
    ],
  };
  const page = await db.run.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: { id: true, createdAt: true },
  });
  const shown = page.slice(0, input.limit);
  const items = (
    await readRunSummaries(
      pool,
      runSummarySelect,
      shown.map((r) => r.id),
    )
  ).map(shapeSummary);
  const last = shown[shown.length - 1];
  return { items, nextCursor: page.length > input.limit && last ? `${last.createdAt.getTime()}:${last.id}` : null };
}

/** Where a cursor points: its own (createdAt, id), or a run the viewer may see; null otherwise. */
async function cursorPosition(
  db: DbClient,
  cursor: string,
  visible: Prisma.RunWhereInput,
): Promise<{ createdAt: Date; id: string } | null> {
  const pair = /^(\d{1,15}):(.+)$/.exec(cursor);
  if (pair) return { createdAt: new Date(Number(pair[1])), id: pair[2]! };
  return db.run.findFirst({ where: { AND: [{ id: cursor }, visible] }, select: { id: true, createdAt: true } });
}

/** Runs that share a goal, side by side (the newest 24 the viewer may see). */
export async function compareRuns(db: DbClient, viewer: Viewer, input: { goal?: string | undefined; id?: string | undefined }) {
  let goal = input.goal;
  if (!goal && input.id) {
    const run = await db.run.findUnique({ where: visibleRunWhere(viewer, input.id), select: { goal: true } });
    if (!run) throw runNotFound();
    goal = run.goal;
  }
  if (!goal) throw new AppError("BAD_REQUEST", "give a goal or a run id to compare", { field: "goal" });
  const rows = await db.run.findMany({
    where: { goal, AND: [visibleRunsWhere(viewer)] },
    orderBy: { createdAt: "desc" },
    take: 24,
    select: runSummarySelect,
  });
  return { goal, runs: rows.map(shapeSummary) };
}

export interface ModelStat {
  model: string;
  runs: number;
  finished: number;
  succeeded: number;
  successRate: number | null;
  avgSecondsToGoal: number | null;
  avgCostCents: number | null;
  avgCreditsSpent: number | null;
}

/** Per model, over the runs the viewer may see: runs, success rate over finished runs, average time to goal, cost and spend. */
export async function modelStats(db: DbClient, viewer: Viewer): Promise<ModelStat[]> {
  const rows = await db.$queryRaw<
    {
      model: string;
      runs: bigint;
      finished: bigint;
      succeeded: bigint;
      avg_secs: number | null;
      avg_cost: number | null;
      avg_spent: number | null;
    }[]
  >`
    SELECT p.model,
           count(*) AS runs,
           count(*) FILTER (WHERE s.status IN ${statusList(JUDGED_RUN_STATUSES)}) AS finished,
           count(*) FILTER (WHERE s.status = 'succeeded') AS succeeded,
           avg(EXTRACT(EPOCH FROM (s."reachedTargetAt" - s."startedAt")))
             FILTER (WHERE s.status = 'succeeded' AND s."reachedTargetAt" IS NOT NULL)::float8 AS avg_secs,
           avg(s."costCents") FILTER (WHERE s."finishedAt" IS NOT NULL)::float8 AS avg_cost,
           avg(s."creditsSpent") FILTER (WHERE s."finishedAt" IS NOT NULL)::float8 AS avg_spent
      FROM runs s JOIN agents p ON p.id = s."agentId"
     WHERE ${visibleRunsSql(viewer, "s")}
     GROUP BY p.model
     ORDER BY p.model`;
  return rows.map((r) => {
    const finished = Number(r.finished);
    const succeeded = Number(r.succeeded);
    return {
      model: r.model,
      runs: Number(r.runs),
      finished,
      succeeded,
      successRate: finished > 0 ? succeeded / finished : null,
      avgSecondsToGoal: r.avg_secs === null ? null : Math.round(r.avg_secs * 10) / 10,
      avgCostCents: r.avg_cost === null ? null : Math.round(r.avg_cost),
      avgCreditsSpent: r.avg_spent === null ? null : Math.round(r.avg_spent),
    };
  });
}
