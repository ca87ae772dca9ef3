// An external agent driven only by fetch with its key: heartbeat, long-poll, claim, progress,
// result — against a real Paddock API over HTTP. Then 50 agents polling 1,000 ready tasks never
// claim one twice, and the sweep takes back the tasks of an agent that went quiet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPaddock } from "../../test/paddock-harness";

const { db } = await import("../../lib/db");
const { makeUser, rejection } = await import("../../test/helpers");
const { taskSweepJob } = await import("../../jobs/tasks/sweep.job");
const { dispatchTask } = await import("../../domain/tasks/dispatch");
const { AGENT_API_PATH } = await import("./routes");
const { underPath } = await import("../../lib/front-door");
const isAgentApiUrl = (url: string) => underPath(url, AGENT_API_PATH);

let api: Awaited<ReturnType<typeof startTestPaddock>>;
let owner: Awaited<ReturnType<typeof makeUser>>;
let workspaceId: string;

beforeAll(async () => {
  // The API alone: no dispatcher, so nothing but the external agents takes these tasks.
  api = await startTestPaddock({}, "api");
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Agents" })).id;
});
afterAll(async () => {
  await api?.stop();
});

async function externalAgent(opts: { specialization?: string; maxConcurrentTasks?: number } = {}) {
  const agent = await owner.caller.agent.create({ workspaceId, name: "Outside", kind: "external", ...opts });
  const { key } = await owner.caller.agent.createKey({ agentId: agent.id });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}/api/agents/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads whatever the API answered
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };
  return { id: agent.id, key, call };
}

describe("an external agent driven by fetch", () => {
  it("heartbeats, long-polls, claims, reports progress and a result", async () => {
    const agent = await externalAgent({ specialization: "writer" });
    const beat = await agent.call("POST", "/heartbeat", { status: "available" });
    expect(beat.status).toBe(200);
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).status).toBe("available");

    expect((await agent.call("GET", "/tasks/next?wait=0")).status).toBe(204);
    const project = await owner.caller.project.create({ workspaceId, name: "Launch", brief: "Write for engineers." });
    const first = await owner.caller.task.create({
      projectId: project.id,
      title: "Outline",
      status: "ready",
      requiredSpecialization: "writer",
    });
    const firstClaim = await agent.call("GET", "/tasks/next?wait=0");
    expect(firstClaim.body!.task.id).toBe(first.id);
    await agent.call("POST", `/tasks/${first.id}/result`, { outcome: "succeeded", summary: "outlined", output: { sections: 3 } });

    // A long-poll waiting when the task becomes ready is woken with it.
    const unrelated = await owner.caller.task.create({ projectId: project.id, title: "Unrelated", requiredSpecialization: "designer" });
    const poll = agent.call("GET", "/tasks/next?wait=20");
    await new Promise((r) => setTimeout(r, 300));
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Draft",
      description: "Draft the post",
      status: "ready",
      requiredSpecialization: "writer",
      dependsOn: [first.id],
    });
    const claimed = await poll;
    expect(claimed.status).toBe(200);
    const t = claimed.body!.task;
    expect(t.id).toBe(task.id);
    expect(t.attempt).toBe(1);
    // The minimal context: the task, the project brief, its dependency's output — nothing else.
    expect(t.context.task).toMatchObject({ id: task.id, title: "Draft", description: "Draft the post" });
    expect(t.context.project).toMatchObject({ id: project.id, brief: "Write for engineers." });
    expect(t.context.dependencies).toEqual([
      { taskId: first.id, title: "Outline", summary: "outlined", output: { sections: 3 }, artifacts: null },
    ]);
    expect(JSON.stringify(t.context)).not.toContain(unrelated.id);
    const stored = await db.taskAttempt.findUniqueOrThrow({ where: { id: t.attemptId } });
    expect(stored.contextSnapshot).toEqual(t.context);

    expect((await agent.call("POST", `/tasks/${task.id}/progress`, { message: "half way", percent: 50 })).status).toBe(200);
    const result = await agent.call("POST", `/tasks/${task.id}/result`, {
      outcome: "succeeded",
      summary: "Drafted",
      output: { words: 800 },
      files: [{ name: "draft.md", url: "https://example.test/draft.md" }],
    });
    expect(result).toMatchObject({ status: 200, body: { taskStatus: "done", outcome: "succeeded" } });
    const done = await owner.caller.task.get({ id: task.id });
    expect(done).toMatchObject({ status: "done", resultSummary: "Drafted", resultOutput: { words: 800 } });
    expect(done.attempts[0]).toMatchObject({ status: "succeeded", progress: { message: "half way", percent: 50 } });
    // A repeated result acts once.
    expect((await agent.call("POST", `/tasks/${task.id}/result`, { outcome: "failed", summary: "again" })).status).toBe(409);
    const perf = (await owner.caller.agent.get({ id: agent.id })).performance;
    expect(perf).toMatchObject({ tasksCompleted: 2, tasksFailed: 0, failureRate: 0 });
  });

  it("is refused without a valid key, and may not report on a task it did not claim", async () => {
    const res = await fetch(`${api.url}/api/agents/v1/tasks/next`, { headers: { authorization: "Bearer pk_nope" } });
    expect(res.status).toBe(401);
    const agent = await externalAgent();
    const other = await externalAgent();
    const project = await owner.caller.project.create({ workspaceId, name: "Mine" });
    const task = await owner.caller.task.create({ projectId: project.id, title: "Only one", status: "ready", agentId: agent.id });
    expect((await other.call("GET", "/tasks/next?wait=0")).status).toBe(204);
    expect((await agent.call("GET", "/tasks/next?wait=0")).body!.task.id).toBe(task.id);
    expect((await other.call("POST", `/tasks/${task.id}/result`, { outcome: "succeeded", summary: "mine" })).status).toBe(404);
    expect((await agent.call("POST", `/tasks/${task.id}/result`, { outcome: "bogus" })).body!.error.field).toBe("outcome");
    // Text the database cannot store is refused by name, and the attempt stays open for a good result.
    for (const [body, field] of [
      [{ outcome: "succeeded", summary: "nul \u0000" }, "summary"],
      [{ outcome: "succeeded", output: { lines: ["ok", "nul \u0000"] } }, "output"],
    ] as const) {
      const refused = await agent.call("POST", `/tasks/${task.id}/result`, body);
      expect(refused.status).toBe(400);
      expect(refused.body!.error).toMatchObject({ field, message: expect.stringMatching(/NUL/) });
    }
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("running");
    const keyId = (await db.agentKey.findFirstOrThrow({ where: { agentId: agent.id } })).id;
    await owner.caller.agent.revokeKey({ agentId: agent.id, keyId });
    expect((await agent.call("POST", "/heartbeat")).status).toBe(401);
  });

  it("answers malformed calls with the field and the rule, and changes nothing", async () => {
    const agent = await externalAgent();
    const project = await owner.caller.project.create({ workspaceId, name: "Malformed" });
    const task = await owner.caller.task.create({ projectId: project.id, title: "Kept", status: "ready", agentId: agent.id });
    expect((await agent.call("GET", "/tasks/next/")).body!.task.id).toBe(task.id);
    const raw = (path: string, init: RequestInit) =>
      fetch(`${api.url}/api/agents/v1${path}`, { ...init, headers: { authorization: `Bearer ${agent.key}`, ...init.headers } });
    const errorOf = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: object }).error });
    const json = { "content-type": "application/json" };
    expect(await errorOf(await raw(`/tasks/${task.id}/result`, { method: "POST", headers: json, body: "{not json" }))).toMatchObject({
      status: 400,
      field: "body",
      message: "body is not valid JSON",
    });
    const huge = JSON.stringify({ outcome: "succeeded", summary: "x".repeat(5 * 1024 * 1024) });
    expect(await errorOf(await raw(`/tasks/${task.id}/result`, { method: "POST", headers: json, body: huge }))).toMatchObject({
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      field: "body",
    });
    // Not sent as JSON: no body, so the result's outcome is missing.
    const asText = await raw(`/tasks/${task.id}/result`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"outcome":"succeeded"}',
    });
    expect(await errorOf(asText)).toMatchObject({ status: 400, field: "body" });
    expect(await errorOf(await raw(`/tasks/%E0%A4%A/result`, { method: "POST", headers: json, body: "{}" }))).toMatchObject({
      status: 400,
      field: "id",
    });
    expect(await errorOf(await raw("/tasks/next?wait=301", {}))).toMatchObject({ status: 400, field: "query.wait" });
    expect(await errorOf(await raw("/tasks/next?wait=soon", {}))).toMatchObject({ status: 400, field: "query.wait" });
    expect(await errorOf(await raw("/heartbeat", {}))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(await errorOf(await raw(`/tasks/${task.id}/status`, { method: "POST" }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(await errorOf(await raw("/heartbeat", { method: "POST", headers: json, body: '{"status":"asleep"}' }))).toMatchObject({
      status: 400,
      field: "status",
    });
    const row = await db.task.findUniqueOrThrow({ where: { id: task.id }, include: { attempts: true } });
    expect(row).toMatchObject({ status: "running", resultSummary: null });
    expect(row.attempts).toMatchObject([{ status: "running" }]);
    // The same calls, well formed: accepted (case and a trailing slash as any Express route takes them).
    expect((await agent.call("POST", "/Heartbeat/", { status: "busy" })).status).toBe(200);
    expect((await agent.call("POST", `/tasks/${task.id}/result/`, { outcome: "succeeded", summary: "kept" })).body).toMatchObject({
      taskStatus: "done",
    });
  });

  it("is answered for its own URLs only, as Express would mount it", async () => {
    for (const url of ["/api/agents/v1", "/api/agents/v1/", "/api/agents/v1?x=1", "/API/Agents/V1/tasks/next"])
      expect(isAgentApiUrl(url)).toBe(true);
    for (const url of ["/api/agents/v10/tasks/next", "/api/agents", "/api/agents/v1x", "/trpc/api/agents/v1/", ""])
      expect(isAgentApiUrl(url)).toBe(false);
    // Next to it, Express answers: an unknown API route, with the same request id and headers.
    const beside = await fetch(`${api.url}/api/agents/v1x/tasks/next`);
    expect(beside.status).toBe(404);
    expect(((await beside.json()) as { error: { message: string } }).error.message).toBe("no such API route");
    const mine = await fetch(`${api.url}/api/agents/v1/tasks/next`, { method: "HEAD", headers: { "x-request-id": "agent-head-1" } });
    expect(mine.status).toBe(401);
    expect(mine.headers.get("x-request-id")).toBe("agent-head-1");
    expect(mine.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("retries a failed task after its backoff, then fails it when retries run out", async () => {
    const agent = await externalAgent({ specialization: "flaky" });
    const project = await owner.caller.project.create({ workspaceId, name: "Retries" });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Hard",
      status: "ready",
      maxRetries: 1,
      requiredSpecialization: "flaky",
    });
    await agent.call("GET", "/tasks/next?wait=0");
    const first = await agent.call("POST", `/tasks/${task.id}/result`, { outcome: "failed", summary: "tool crashed" });
    expect(first.body).toMatchObject({ taskStatus: "ready" });
    expect(first.body!.retryAt).not.toBeNull();
    // Still backing off: not offered yet. Then the backoff is over.
    expect((await agent.call("GET", "/tasks/next?wait=0")).status).toBe(204);
    await db.task.update({ where: { id: task.id }, data: { notBefore: new Date(Date.now() - 1000) } });
    expect((await agent.call("GET", "/tasks/next?wait=0")).body!.task.attempt).toBe(2);
    const second = await agent.call("POST", `/tasks/${task.id}/result`, { outcome: "failed", summary: "crashed again" });
    expect(second.body).toMatchObject({ taskStatus: "failed" });
    const failed = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(failed.error).toContain("crashed again");
    expect((await owner.caller.agent.get({ id: agent.id })).performance).toMatchObject({ tasksFailed: 2, failureRate: 1 });
  });

  it("goes offline when silent, and its claimed task returns to the queue when the lease expires", async () => {
    const agent = await externalAgent({ specialization: "sleepy" });
    const project = await owner.caller.project.create({ workspaceId, name: "Leases" });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Claimed then dropped",
      status: "ready",
      requiredSpecialization: "sleepy",
    });
    const claim = await agent.call("GET", "/tasks/next?wait=0");
    expect(claim.body!.task.id).toBe(task.id);
    const long = new Date(Date.now() - 3600_000);
    await db.agent.update({ where: { id: agent.id }, data: { heartbeatAt: long } });
    await db.taskAttempt.update({ where: { id: claim.body!.task.attemptId }, data: { leaseExpiresAt: long } });
    await taskSweepJob.handle({}, {} as never);
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).status).toBe("offline");
    expect((await db.taskAttempt.findUniqueOrThrow({ where: { id: claim.body!.task.attemptId } })).status).toBe("expired");
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("ready");
    // Its late result is refused; a new claim gets attempt 2.
    expect((await agent.call("POST", `/tasks/${task.id}/result`, { outcome: "succeeded", summary: "late" })).status).toBe(409);
    expect((await agent.call("GET", "/tasks/next?wait=0")).body!.task.attempt).toBe(2);
  });
});

describe("one agent's concurrent claims", () => {
  it("never take more tasks than its maxConcurrentTasks", async () => {
    const agent = await externalAgent({ specialization: "eager", maxConcurrentTasks: 2 });
    const project = await owner.caller.project.create({ workspaceId, name: "Eager" });
    for (let i = 0; i < 5; i++) {
      await owner.caller.task.create({ projectId: project.id, title: `Eager ${i}`, status: "ready", requiredSpecialization: "eager" });
    }
    const answers = await Promise.all(Array.from({ length: 12 }, () => agent.call("GET", "/tasks/next?wait=0")));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(await db.taskAttempt.count({ where: { agentId: agent.id, status: "running" } })).toBe(2);
  });
});

describe("expired leases", () => {
  it("count against maxRetries like failed attempts: the task fails with a clear error once the budget is spent", async () => {
    const agent = await externalAgent({ specialization: "vanishing" });
    const project = await owner.caller.project.create({ workspaceId, name: "Expiries" });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Claimed and dropped twice",
      status: "ready",
      maxRetries: 1,
      requiredSpecialization: "vanishing",
    });
    const claimAndExpire = async (attempt: number) => {
      const claim = await agent.call("GET", "/tasks/next?wait=0");
      expect(claim.body!.task).toMatchObject({ id: task.id, attempt });
      await db.taskAttempt.update({ where: { id: claim.body!.task.attemptId }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
      await taskSweepJob.handle({}, {} as never);
      expect((await db.taskAttempt.findUniqueOrThrow({ where: { id: claim.body!.task.attemptId } })).status).toBe("expired");
    };
    // The first expiry spends the one retry: back in the queue at once, unassigned.
    await claimAndExpire(1);
    expect(await db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({
      status: "ready",
      assignedAgentId: null,
      notBefore: null,
    });
    // The second is over budget: the task fails, saying why, and is offered to no one.
    await claimAndExpire(2);
    const failed = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("the agent's lease expired before it reported a result (after 2 failed attempts)");
    expect(failed.finishedAt).not.toBeNull();
    expect((await agent.call("GET", "/tasks/next?wait=0")).status).toBe(204);
    // task.retry gives a fresh budget.
    await owner.caller.task.retry({ id: task.id });
    expect((await agent.call("GET", "/tasks/next?wait=0")).body!.task.attempt).toBe(3);
  });
});

describe("a task's excludedAgentIds", () => {
  it("keep the excluded agent from claiming it, while another agent may", async () => {
    const excluded = await externalAgent({ specialization: "picky" });
    const other = await externalAgent({ specialization: "picky" });
    const project = await owner.caller.project.create({ workspaceId, name: "Exclusions" });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Not for them",
      status: "ready",
      requiredSpecialization: "picky",
    });
    await db.task.update({ where: { id: task.id }, data: { excludedAgentIds: [excluded.id] } });
    expect((await excluded.call("GET", "/tasks/next?wait=0")).status).toBe(204);
    expect((await other.call("GET", "/tasks/next?wait=0")).body!.task.id).toBe(task.id);
  });

  it("keep the dispatcher from choosing the excluded agent, and task.dispatch refuses it by name", async () => {
    // Two builtin agents of their own specialization; the first would win the tie.
    const first = await owner.caller.agent.create({ workspaceId, name: "First", kind: "builtin", specialization: "excluder" });
    const second = await owner.caller.agent.create({ workspaceId, name: "Second", kind: "builtin", specialization: "excluder" });
    const project = await owner.caller.project.create({ workspaceId, name: "Builtin exclusions" });
    const make = async (title: string, excludedAgentIds: string[]) => {
      const t = await owner.caller.task.create({ projectId: project.id, title, status: "ready", requiredSpecialization: "excluder" });
      await db.task.update({ where: { id: t.id }, data: { excludedAgentIds } });
      return t;
    };
    const dispatch = (taskId: string) => dispatchTask(db, { taskId, now: new Date(), leaseSeconds: 60 });

    const open = await make("Anyone", []);
    expect(await dispatch(open.id)).toMatchObject({ kind: "launch", agentId: first.id });
    await owner.caller.task.cancel({ id: open.id });

    const notFirst = await make("Not the first", [first.id]);
    expect(await dispatch(notFirst.id)).toMatchObject({ kind: "launch", agentId: second.id });
    await owner.caller.task.cancel({ id: notFirst.id });

    const neither = await make("Neither", [first.id, second.id]);
    expect(await dispatch(neither.id)).toEqual({ kind: "waiting", reason: "no-agent" });
    expect((await db.task.findUniqueOrThrow({ where: { id: neither.id } })).status).toBe("ready");

    // The operator's Process naming an excluded agent is refused, naming it, and changes nothing.
    const pinned = await make("Pinned", [first.id]);
    const refused = await rejection(owner.caller.task.dispatch({ id: pinned.id, agentId: first.id }));
    expect(refused).toMatchObject({ code: "CONFLICT", field: "agentId" });
    expect(refused.message).toContain(first.id);
    expect(await db.task.findUniqueOrThrow({ where: { id: pinned.id } })).toMatchObject({ status: "ready", requestedAgentId: null });
    expect(await db.taskAttempt.count({ where: { taskId: pinned.id } })).toBe(0);
  });
});

describe("50 external agents polling 1,000 ready tasks", () => {
  it("never claim a task twice, and every task is done once", async () => {
    const project = await owner.caller.project.create({ workspaceId, name: "Crowd" });
    await db.task.createMany({
      data: Array.from({ length: 1000 }, (_, i) => ({
        projectId: project.id,
        workspaceId,
        title: `Task ${i}`,
        status: "ready" as const,
        requiredSpecialization: "crowd",
        createdById: owner.id,
      })),
    });
    const agents = await Promise.all(Array.from({ length: 50 }, () => externalAgent({ specialization: "crowd" })));
    const claims: string[] = [];
    await Promise.all(
      agents.map(async (agent) => {
        for (;;) {
          const next = await agent.call("GET", "/tasks/next?wait=1");
          if (next.status === 204) return;
          expect(next.status).toBe(200);
          const id = next.body!.task.id as string;
          claims.push(id);
          const done = await agent.call("POST", `/tasks/${id}/result`, { outcome: "succeeded", summary: `done by ${agent.id}` });
          expect(done.status).toBe(200);
        }
      }),
    );
    expect(claims).toHaveLength(1000);
    expect(new Set(claims).size).toBe(1000);
    expect(await db.task.count({ where: { projectId: project.id, status: "done" } })).toBe(1000);
    expect(await db.taskAttempt.count({ where: { task: { projectId: project.id } } })).toBe(1000);
    const perAgent = await db.taskAttempt.groupBy({ by: ["agentId"], where: { task: { projectId: project.id } }, _count: { _all: true } });
    expect(perAgent.length).toBeGreaterThan(1);
  });
});
