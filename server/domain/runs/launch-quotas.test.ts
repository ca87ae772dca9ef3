// Launch quotas and who may launch what, through run.create as users call it: the live-run
// cap holds under concurrent creates, a refused create leaves nothing behind, the minimum budget
// is checked on the server, and Daytona and restricted (llm) agents are for operators until
// opened.
import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";

// Daytona is configured (its key is only read when a run launches, which no worker does here).
process.env.DAYTONA_API_KEY = "test-daytona-key";

const { db } = await import("../../lib/db");
const { config } = await import("../../config");
const { makeUser, rejection } = await import("../../test/helpers");
const { moneySnapshot } = await import("../betting/fixtures");
const { checkLedger, balanceOf, userAccountKey } = await import("../ledger");
const { getQueue } = await import("../../jobs/queues");
const { launchJob } = await import("../../jobs/runs/launch");
const { mayUseProvider, providersFor } = await import("./launch-rules");

async function agent(slug: string, policy: "demo" | "llm" = "demo") {
  return db.agent.upsert({
    where: { slug },
    create: { slug, name: slug, model: `${slug}-model`, policy },
    update: {},
    select: { id: true },
  });
}

const runInput = (agentId: string, credits = 200) => ({
  goal: "Count to ten",
  metric: "points",
  targetValue: 10,
  agentId,
  durationMinutes: 60,
  credits,
});

async function launchJobIds(): Promise<string[]> {
  const jobs = await getQueue(launchJob.name).getJobs(["waiting", "delayed", "active", "prioritized"]);
  return jobs.map((j) => j.id!);
}

async function leftovers(userId: string) {
  return {
    runs: await db.run.count({ where: { createdById: userId } }),
    runAccounts: await db.ledgerAccount.count({ where: { kind: "run" } }),
    pools: await db.pool.count(),
    launchJobs: (await launchJobIds()).length,
    money: await moneySnapshot(db),
  };
}

describe("the live-run cap", () => {
  it("defaults to 5", () => {
    expect(config.MAX_LIVE_RUNS_PER_USER).toBe(5);
    expect(config.MIN_RUN_CREDITS_CENTS).toBe(100);
  });

  it("refuses the 6th live run with a message naming the limit, leaving no run, transfer or job behind", async () => {
    const { id: agentId } = await agent("quota-demo");
    const user = await makeUser({ grant: 10_000 });
    for (let i = 0; i < 5; i++) await user.caller.run.create(runInput(agentId));
    const before = await leftovers(user.id);
    expect(before.runs).toBe(5);

    const refused = await rejection(user.caller.run.create(runInput(agentId)));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/limit is 5/);

    expect(await leftovers(user.id)).toEqual(before);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(10_000 - 5 * 200);

    // Another user is not held to this user's runs; and an ended run frees a place.
    const other = await makeUser({ grant: 10_000 });
    await other.caller.run.create(runInput(agentId));
    const [first] = await db.run.findMany({ where: { createdById: user.id }, select: { id: true }, take: 1 });
    await user.caller.run.cancel({ id: first!.id });
    await user.caller.run.create(runInput(agentId));
    expect(await db.run.count({ where: { createdById: user.id, status: { in: ["queued", "booting", "running"] } } })).toBe(5);
  });

  it("holds under 10 concurrent creates by one user: exactly 5 pass, the rest leave nothing", async () => {
    const { id: agentId } = await agent("quota-demo");
    const user = await makeUser({ grant: 10_000 });
    const jobsBefore = new Set(await launchJobIds());
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => user.caller.run.create(runInput(agentId, 300))));
    const passed = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(passed).toHaveLength(5);
    for (const f of failed) expect((f.reason as TRPCError).code).toBe("CONFLICT");

    const runs = await db.run.findMany({ where: { createdById: user.id }, select: { id: true } });
    expect(runs).toHaveLength(5);
    expect(await db.ledgerAccount.count({ where: { key: { in: runs.map((r) => `run:${r.id}`) } } })).toBe(5);
    expect(await db.pool.count({ where: { runId: { in: runs.map((r) => r.id) } } })).toBe(5);
    expect(await balanceOf(db, userAccountKey(user.id))).toBe(10_000 - 5 * 300);
    const newJobs = (await launchJobIds()).filter((id) => !jobsBefore.has(id));
    expect(newJobs.sort()).toEqual(runs.map((r) => `launch-${r.id}`).sort());
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("the minimum credit budget", () => {
  it("refuses a budget under MIN_RUN_CREDITS_CENTS with a 400 naming credits, and changes nothing", async () => {
    const { id: agentId } = await agent("quota-demo");
    const user = await makeUser({ grant: 10_000 });
    const before = await leftovers(user.id);
    const refused = await rejection(user.caller.run.create(runInput(agentId, 99)));
    expect(refused).toMatchObject({ code: "BAD_REQUEST", field: "credits" });
    expect(refused.message).toMatch(/at least \$1\.00/);
    expect(await leftovers(user.id)).toEqual(before);
    await user.caller.run.create(runInput(agentId, 100));
  });
});

describe("restricted agents", () => {
  it("an llm agent is for operators and admins until an admin opens it", async () => {
    const { id: llmId } = await agent("quota-llm", "llm");
    const member = await makeUser({ grant: 10_000 });
    const operator = await makeUser({ grant: 10_000, role: "operator" });
    const admin = await makeUser({ grant: 10_000, role: "admin" });

    const seen = (await member.caller.run.agents()).find((p) => p.id === llmId);
    expect(seen).toMatchObject({ restricted: true, usable: false });
    expect((await operator.caller.run.agents()).find((p) => p.id === llmId)).toMatchObject({ restricted: true, usable: true });

    const before = await leftovers(member.id);
    const refused = await rejection(member.caller.run.create(runInput(llmId)));
    expect(refused).toMatchObject({ code: "FORBIDDEN", field: "agentId" });
    expect(refused.message).toMatch(/operators and admins only/);
    expect(await leftovers(member.id)).toEqual(before);
    await operator.caller.run.create(runInput(llmId));

    // Only an admin may open it (operators and members are refused).
    expect((await rejection(operator.caller.run.setAgentRestricted({ agentId: llmId, restricted: false }))).code).toBe("FORBIDDEN");
    expect((await rejection(member.caller.run.setAgentRestricted({ agentId: llmId, restricted: false }))).code).toBe("FORBIDDEN");
    await admin.caller.run.setAgentRestricted({ agentId: llmId, restricted: false });
    expect((await member.caller.run.agents()).find((p) => p.id === llmId)).toMatchObject({ restricted: false, usable: true });
    await member.caller.run.create(runInput(llmId));

    // And closes a demo agent the same way.
    const { id: demoId } = await agent("quota-demo");
    await admin.caller.run.setAgentRestricted({ agentId: demoId, restricted: true });
    expect((await rejection(member.caller.run.create(runInput(demoId)))).code).toBe("FORBIDDEN");
    await admin.caller.run.setAgentRestricted({ agentId: demoId, restricted: false });
  });
});

describe("the Daytona provider", () => {
  it("is for operators and admins unless DAYTONA_FOR_MEMBERS is on", async () => {
    expect(config.DAYTONA_FOR_MEMBERS).toBe(false);
    const { id: agentId } = await agent("quota-demo");
    const member = await makeUser({ grant: 10_000 });
    const operator = await makeUser({ grant: 10_000, role: "operator" });

    expect(await member.caller.run.providers()).toMatchObject({ available: ["local"], default: "local" });
    expect(await operator.caller.run.providers()).toMatchObject({ available: ["local", "daytona"] });

    const before = await leftovers(member.id);
    const refused = await rejection(member.caller.run.create({ ...runInput(agentId), provider: "daytona" }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", field: "provider" });
    expect(refused.message).toMatch(/daytona provider is open to operators and admins only/);
    expect(await leftovers(member.id)).toEqual(before);

    const { id } = await operator.caller.run.create({ ...runInput(agentId), provider: "daytona" });
    expect((await db.run.findUniqueOrThrow({ where: { id }, select: { provider: true } })).provider).toBe("daytona");
  });

  it("opens to members with the setting; a member's default falls back to a provider they may use", () => {
    expect(mayUseProvider("member", "daytona", { daytonaForMembers: true })).toBe(true);
    expect(mayUseProvider("member", "daytona", { daytonaForMembers: false })).toBe(false);
    expect(providersFor("member", { available: ["local", "daytona"], default: "daytona" }, { daytonaForMembers: false })).toEqual({
      available: ["local"],
      default: "local",
    });
    expect(providersFor("admin", { available: ["local", "daytona"], default: "daytona" }, { daytonaForMembers: false })).toEqual({
      available: ["local", "daytona"],
      default: "daytona",
    });
  });
});
