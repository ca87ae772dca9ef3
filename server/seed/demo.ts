// The demo world for `npm start` and `npm run db:seed`: finished runs with history on the
// built-in agent profiles, and one live run that the workers launch on boot.
import type { Db } from "../lib/db";
import { createRun } from "../domain/sandbox/create";
import { transitionRun } from "../domain/sandbox/lifecycle";
import { appendEvents } from "../domain/sandbox/events";
import { pgPool } from "../lib/pg";
import { recordProgress } from "../domain/sandbox/progress";
import { spendCredits } from "../domain/sandbox/credits";
import { enqueue } from "../jobs/queues";
import { launchJob } from "../jobs/sandbox/launch";
import { ensureBuiltinProfiles } from "../domain/agent-profiles";

const OPTS = { defaultProvider: "local" as const, availableProviders: ["local" as const], defaultIdleTimeoutMinutes: 15 };

async function finishedRun(db: Db, userId: string, profileId: string, goal: string, reach: number, outcome: "succeeded" | "failed", minutesAgo: number) {
  const { id } = await createRun(db, userId, { goal, metric: "qualified leads", targetValue: 20, agentProfileId: profileId, durationMinutes: 30, credits: 400 }, OPTS);
  const startedAt = new Date(Date.now() - minutesAgo * 60_000);
  await transitionRun(db, { sandboxId: id, to: "booting", reason: "launching" });
  await transitionRun(db, { sandboxId: id, to: "running", reason: "agent started", set: { startedAt, expiresAt: new Date(startedAt.getTime() + 30 * 60_000), providerId: null } });
  const thoughts = ["Reading the brief", "Listing candidate sources", "Drafting outreach", "Checking replies"];
  for (let v = 4; v <= reach; v += 4) {
    await appendEvents(pgPool(), id, [
      { kind: "thought", payload: { text: thoughts[(v / 4) % thoughts.length] } },
      { kind: "action", payload: { name: "search", detail: `batch ${v / 4}` } },
    ]);
    await recordProgress(db, { sandboxId: id, value: Math.min(v, reach) });
    await spendCredits(db, { sandboxId: id, amount: 12, reason: "model calls" });
  }
  await transitionRun(db, { sandboxId: id, to: outcome, reason: outcome === "succeeded" ? "goal reached" : "reported by agent", summary: outcome === "succeeded" ? "Found 20 qualified leads." : "Stalled at the reply stage." });
}

export async function seedDemoWorld(db: Db): Promise<void> {
  const profiles = await ensureBuiltinProfiles(db);
  if ((await db.sandbox.count()) > 0) return;
  const admin = await db.user.findUnique({ where: { email: "demo@paddock.local" }, select: { id: true } });
  if (!admin) return;
  const bySlug = new Map(profiles.map((p) => [p.slug, p.id]));
  const goal = "Find 20 qualified leads for a developer-tools startup";
  await finishedRun(db, admin.id, bySlug.get("demo-sonnet")!, goal, 20, "succeeded", 90);
  await finishedRun(db, admin.id, bySlug.get("demo-gpt")!, goal, 12, "failed", 80);
  await finishedRun(db, admin.id, bySlug.get("demo-llama")!, goal, 20, "succeeded", 70);

  const live = await createRun(
    db,
    admin.id,
    {
      goal: "Write and test 40 unit tests for the billing module",
      metric: "tests passing",
      targetValue: 40,
      agentProfileId: bySlug.get("demo-gpt")!,
      durationMinutes: 60,
      idleTimeoutMinutes: 15,
      credits: 2_000,
      agentConfig: { stepMs: 12_000, progressPerStep: 1, succeed: true, creditsPerStep: 5, screenshotEvery: 5 },
    },
    OPTS,
  );
  await enqueue(launchJob, { sandboxId: live.id }, { jobId: `launch-${live.id}` });
}
