// The demo world for `npm start` and `npm run db:seed`: finished runs with history on the
// built-in agents, and one live run that the workers launch on boot. The runs belong to
// a second demo account, so the demo user can bet on them (nobody bets on a run they steer).
// A team workspace holds the runner (owner), the demo user (admin) and a third account (viewer),
// with public runs (the arena) and private ones (its members only), so a newcomer sees both kinds.
import type { Db } from "../lib/db";
import { createRun } from "../domain/runs/create";
import { transitionRun } from "../domain/runs/lifecycle";
import { appendEvents } from "../domain/runs/events-sql";
import { pgPool } from "../lib/pg";
import { recordProgress } from "../domain/runs/progress";
import { spendCredits } from "../domain/runs/credits";
import { enqueue } from "../jobs/queues";
import { launchJobSpec } from "../jobs/runs/specs";
import { ensureBuiltinAgents } from "../domain/agents/builtin";
import { registerUser } from "../domain/users";
import { config } from "../config";
import { createWorkspace } from "../domain/workspaces/workspaces";
import { seedDemoPipelines } from "./demo-pipelines";
import type { RunVisibilityName } from "@shared/run";

/** The demo runs' creator: not the demo user, who could not bet on runs they created. */
export const DEMO_RUNNER = { email: "runner@paddock.local", name: "Rae Runner (demo)", password: "paddock-demo" };

/** The team workspace's viewer: reads its private runs, launches nothing. */
export const DEMO_TEAMMATE = { email: "viewer@paddock.local", name: "Vic Viewer (demo)", password: "paddock-demo" };
export const DEMO_TEAM = "Paddock Demo Team";

const OPTS = { defaultProvider: "local" as const, availableProviders: ["local" as const], defaultIdleTimeoutMinutes: 15 };

interface Placement {
  workspaceId: string;
  visibility: RunVisibilityName;
}

async function finishedRun(
  db: Db,
  userId: string,
  agentId: string,
  goal: string,
  reach: number,
  outcome: "succeeded" | "failed",
  minutesAgo: number,
  placement: Placement,
) {
  const { id } = await createRun(
    db,
    userId,
    { goal, metric: "qualified leads", targetValue: 20, agentId, durationMinutes: 30, credits: 400, ...placement },
    OPTS,
  );
  const startedAt = new Date(Date.now() - minutesAgo * 60_000);
  await transitionRun(db, { runId: id, to: "booting", reason: "launching" });
  await transitionRun(db, {
    runId: id,
    to: "running",
    reason: "agent started",
    set: { startedAt, expiresAt: new Date(startedAt.getTime() + 30 * 60_000), providerId: null },
  });
  const thoughts = ["Reading the brief", "Listing candidate sources", "Drafting outreach", "Checking replies"];
  for (let v = 4; v <= reach; v += 4) {
    await appendEvents(pgPool(), id, [
      { kind: "thought", payload: { text: thoughts[(v / 4) % thoughts.length] } },
      { kind: "action", payload: { name: "search", detail: `batch ${v / 4}` } },
    ]);
    await recordProgress(db, { runId: id, value: Math.min(v, reach) });
    await spendCredits(db, { runId: id, amount: 12, reason: "model calls" });
  }
  // As the verify job would have recorded it: the demo verifier counted `reach` result files.
  await transitionRun(db, {
    runId: id,
    to: outcome,
    reason: outcome === "succeeded" ? `verified: ${reach} of 20` : `verified ${reach}, below the target 20`,
    summary: outcome === "succeeded" ? "Found 20 qualified leads." : "Stalled at the reply stage.",
    set: { verifierOutput: `${reach}\n`, verifiedProgress: reach, verifiedAt: new Date(startedAt.getTime() + 25 * 60_000) },
  });
}

export async function seedDemoWorld(db: Db): Promise<void> {
  const agents = await ensureBuiltinAgents(db);
  if ((await db.run.count()) > 0) return;
  const demo = await db.user.findUnique({ where: { email: "demo@paddock.local" }, select: { id: true } });
  if (!demo) return;
  const runner =
    (await db.user.findUnique({ where: { email: DEMO_RUNNER.email }, select: { id: true } })) ??
    (await registerUser(db, { ...DEMO_RUNNER, signupGrantCents: config.SIGNUP_GRANT_CENTS }));
  const teammate =
    (await db.user.findUnique({ where: { email: DEMO_TEAMMATE.email }, select: { id: true } })) ??
    (await registerUser(db, { ...DEMO_TEAMMATE, signupGrantCents: config.SIGNUP_GRANT_CENTS }));
  const team = await createWorkspace(db, { userId: runner.id, name: DEMO_TEAM });
  await db.workspaceMember.createMany({
    data: [
      { workspaceId: team.id, userId: demo.id, role: "admin" },
      { workspaceId: team.id, userId: teammate.id, role: "viewer" },
    ],
  });
  await seedDemoPipelines(db, { workspaceId: team.id, ownerId: runner.id });
  const bySlug = new Map(agents.map((p) => [p.slug, p.id]));
  const goal = "Find 20 qualified leads for a developer-tools startup";
  await finishedRun(db, runner.id, bySlug.get("demo-sonnet")!, goal, 20, "succeeded", 90, { workspaceId: team.id, visibility: "public" });
  await finishedRun(db, runner.id, bySlug.get("demo-gpt")!, goal, 12, "failed", 80, { workspaceId: team.id, visibility: "workspace" });
  await finishedRun(db, runner.id, bySlug.get("demo-llama")!, goal, 20, "succeeded", 70, { workspaceId: team.id, visibility: "workspace" });

  const live = await createRun(
    db,
    runner.id,
    {
      goal: "Write and test 40 unit tests for the billing module",
      metric: "tests passing",
      targetValue: 40,
      agentId: bySlug.get("demo-gpt")!,
      durationMinutes: 60,
      idleTimeoutMinutes: 15,
      credits: 2_000,
      // In the runner's personal workspace, public: the arena's live run, which every newcomer
      // (and the demo user, who does not steer it) may watch and bet on.
      visibility: "public",
      agentConfig: { stepMs: 12_000, progressPerStep: 1, succeed: true, creditsPerStep: 5, screenshotEvery: 5 },
    },
    OPTS,
  );
  await enqueue(launchJobSpec, { runId: live.id }, { jobId: `launch-${live.id}` });
}
