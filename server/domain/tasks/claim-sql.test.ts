// The agent API's group commits (claim-sql.ts, finish-sql.ts): claims and results arriving together
// share one statement, and sharing changes no answer — every agent gets a task it may take, never
// one another agent holds, an agent's concurrency limit holds, a task only one agent may take is
// found however deep in the queue, and concurrent results each act once with the agents'
// performance summed.
import { beforeAll, describe, expect, it } from "vitest";

const { db } = await import("../../lib/db");
const { pgPool } = await import("../../lib/pg");
const { makeUser } = await import("../../test/helpers");
const { claimNextTask, claimBatchStats } = await import("./claim-sql");
const { finishAgentAttempt } = await import("./attempts");
const { finishBatchStats } = await import("./finish-sql");

let owner: Awaited<ReturnType<typeof makeUser>>;
let workspaceId: string;
let projectId: string;

beforeAll(async () => {
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Claims" })).id;
  projectId = (await owner.caller.project.create({ workspaceId, name: "Queue", brief: "Work." })).id;
});

async function agents(n: number, opts: { specialization?: "writer" | "general"; maxConcurrentTasks?: number } = {}) {
  return Promise.all(
    Array.from(
      { length: n },
      async (_, i) => (await owner.caller.agent.create({ workspaceId, name: `Agent ${i}`, kind: "external", ...opts })).id,
    ),
  );
}

async function readyTasks(n: number, data: Record<string, unknown> = {}) {
  const created = await db.task.createManyAndReturn({
    data: Array.from({ length: n }, (_, i) => ({
      projectId,
      workspaceId,
      title: `task ${i}`,
      status: "ready" as const,
      createdById: owner.id,
      ...data,
    })),
    select: { id: true },
  });
  return created.map((t) => t.id);
}

const claim = (agentId: string) => claimNextTask(pgPool(), { agentId, workspaceId, leaseSeconds: 300 });
const succeed = (agentId: string, taskId: string) =>
  finishAgentAttempt(pgPool(), db, {
    agentId,
    taskId,
    now: new Date(),
    retryBackoffMs: 1_000,
    result: { outcome: "succeeded", summary: "ok", output: { by: agentId } },
  });

/** Ends every live attempt and empties the queue, so each test starts from nothing ready. */
async function clearQueue() {
  await db.taskAttempt.updateMany({ where: { status: { in: ["launching", "running"] } }, data: { status: "canceled" } });
  await db.task.updateMany({ where: { workspaceId, status: { in: ["ready", "running"] } }, data: { status: "canceled" } });
}

describe("claims arriving together", () => {
  it("share statements, and 40 agents claiming 200 tasks at once never take one twice", async () => {
    await clearQueue();
    const ids = await agents(40);
    const tasks = new Set(await readyTasks(200));
    const before = { ...claimBatchStats };
    const taken: string[] = [];
    await Promise.all(
      ids.map(async (agentId) => {
        for (;;) {
          const c = await claim(agentId);
          if (!c) return;
          expect(tasks.has(c.taskId)).toBe(true);
          taken.push(c.taskId);
          expect((await succeed(agentId, c.taskId))?.change?.status).toBe("done");
        }
      }),
    );
    expect(taken).toHaveLength(200);
    expect(new Set(taken).size).toBe(200);
    const attempts = await db.taskAttempt.groupBy({ by: ["taskId"], where: { taskId: { in: [...tasks] } }, _count: { _all: true } });
    expect(attempts.every((a) => a._count._all === 1)).toBe(true);
    // 200 claims plus the 40 that found nothing, in fewer statements than claims.
    const claims = claimBatchStats.claims - before.claims;
    expect(claims).toBeGreaterThanOrEqual(240);
    expect(claimBatchStats.statements - before.statements).toBeLessThan(claims);
  });

  it("an agent's concurrent claims respect its limit", async () => {
    await clearQueue();
    const [agentId] = await agents(1, { maxConcurrentTasks: 2 });
    await readyTasks(10);
    const claims = await Promise.all(Array.from({ length: 6 }, () => claim(agentId!)));
    expect(claims.filter(Boolean)).toHaveLength(2);
    expect(await db.taskAttempt.count({ where: { agentId, status: "running" } })).toBe(2);
  });

  it("each agent gets only a task it may take: specialization, pinning and exclusions hold in a shared statement", async () => {
    await clearQueue();
    const writers = await agents(3, { specialization: "writer" });
    const generals = await agents(3, { specialization: "general" });
    const [pinnedTo] = generals;
    const forWriters = await readyTasks(3, { requiredSpecialization: "writer", priority: 5 });
    const pinned = await readyTasks(1, { requestedAgentId: pinnedTo, priority: 4 });
    const notForGenerals = await readyTasks(3, { excludedAgentIds: generals, priority: 3 });
    const open = await readyTasks(3, { priority: 1 });
    const got = await Promise.all([...writers, ...generals].map(async (agentId) => ({ agentId, task: await claim(agentId) })));
    for (const { agentId, task } of got) {
      expect(task, agentId).not.toBeNull();
      const row = await db.task.findUniqueOrThrow({ where: { id: task!.taskId } });
      expect(row.assignedAgentId).toBe(agentId);
      if (row.requiredSpecialization) expect(writers).toContain(agentId);
      if (row.requestedAgentId) expect(row.requestedAgentId).toBe(agentId);
      expect(row.excludedAgentIds).not.toContain(agentId);
    }
    // The writers' tasks went to writers; the pinned task to its agent; nobody took a task twice.
    const byTask = new Map(got.map((g) => [g.task!.taskId, g.agentId]));
    expect(byTask.size).toBe(6);
    for (const t of forWriters) if (byTask.has(t)) expect(writers).toContain(byTask.get(t));
    expect(byTask.get(pinned[0]!)).toBe(pinnedTo);
    for (const t of notForGenerals) if (byTask.has(t)) expect(generals).not.toContain(byTask.get(t));
    expect(open.length).toBe(3);
  });

  it("finds a task only one agent may take, deep behind many it may not, while others claim with it", async () => {
    await clearQueue();
    const [loner, ...crowd] = await agents(6);
    // 100 tasks of higher priority that the loner may not take, then one it may.
    await readyTasks(100, { excludedAgentIds: [loner], priority: 5 });
    const [deep] = await readyTasks(1, { priority: 1 });
    // The first claim goes out alone at once; the loner's waits for the next statement with the others.
    const [first, lonerClaim, ...others] = await Promise.all([claim(crowd[0]!), claim(loner!), ...crowd.slice(1).map((a) => claim(a))]);
    others.push(first);
    expect(lonerClaim?.taskId).toBe(deep);
    expect(others.every((c) => c !== null && c.taskId !== deep)).toBe(true);
  });

  it("an archived agent, or one of another workspace, gets nothing and changes nothing", async () => {
    await clearQueue();
    const [archived, fine] = await agents(2);
    await owner.caller.agent.archive({ id: archived! });
    await readyTasks(2);
    const [a, b] = await Promise.all([claim(archived!), claim(fine!)]);
    expect(a).toBeNull();
    expect(b).not.toBeNull();
    const outsider = await makeUser();
    const theirs = (await outsider.caller.workspace.create({ name: "Theirs" })).id;
    const theirAgent = await outsider.caller.agent.create({ workspaceId: theirs, name: "Theirs", kind: "external" });
    expect(await claimNextTask(pgPool(), { agentId: theirAgent.id, workspaceId, leaseSeconds: 300 })).toBeNull();
    expect(await db.task.count({ where: { workspaceId, status: "ready" } })).toBe(1);
  });
});

describe("results arriving together", () => {
  it("each acts once, a repeated one is refused, and one agent's results in one statement all count", async () => {
    await clearQueue();
    const [agentId] = await agents(1, { maxConcurrentTasks: 30 });
    await readyTasks(30);
    const claimed = (await Promise.all(Array.from({ length: 30 }, () => claim(agentId!)))).filter((c) => c !== null);
    // One agent's claims wait for one another (one snapshot may not decide two of them): take the rest.
    while (claimed.length < 30) claimed.push((await claim(agentId!))!);
    const before = { ...finishBatchStats };
    const outcomes = await Promise.allSettled(claimed.flatMap((c) => [succeed(agentId!, c.taskId), succeed(agentId!, c.taskId)]));
    const acted = outcomes.filter((o) => o.status === "fulfilled" && o.value !== null);
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(acted).toHaveLength(30);
    expect(refused).toHaveLength(30);
    for (const r of refused) expect(String(r.reason)).toMatch(/already ended/);
    expect(finishBatchStats.statements - before.statements).toBeLessThan(finishBatchStats.results - before.results);
    const agent = await db.agent.findUniqueOrThrow({ where: { id: agentId } });
    expect(agent.tasksCompleted).toBe(30);
    expect(await db.task.count({ where: { id: { in: claimed.map((c) => c.taskId) }, status: "done" } })).toBe(30);
  });

  it("a result the database refuses fails only itself, not the others sent with it", async () => {
    await clearQueue();
    const ids = await agents(3);
    await readyTasks(3);
    const claimed = await Promise.all(ids.map(async (agentId) => ({ agentId, task: (await claim(agentId))! })));
    const [first, bad, last] = claimed;
    // The first result goes out alone at once; the bad one waits for the next statement, with the last.
    const outcomes = await Promise.allSettled([
      succeed(first!.agentId, first!.task.taskId),
      finishAgentAttempt(pgPool(), db, {
        agentId: bad!.agentId,
        taskId: bad!.task.taskId,
        now: new Date(),
        retryBackoffMs: 1_000,
        // PostgreSQL's text cannot hold a NUL character.
        result: { outcome: "succeeded", summary: "nul \u0000 byte" },
      }),
      succeed(last!.agentId, last!.task.taskId),
    ]);
    expect(outcomes[1].status).toBe("rejected");
    for (const o of [outcomes[0], outcomes[2]]) expect(o.status === "fulfilled" && o.value?.change?.status).toBe("done");
    expect((await db.task.findUniqueOrThrow({ where: { id: bad!.task.taskId } })).status).toBe("running");
  });
});
