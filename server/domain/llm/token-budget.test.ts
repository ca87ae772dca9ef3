// Per-agent token budgets recorded per task, through the real bridge route and a local
// OpenAI-compatible stand-in: a dispatched attempt carries its agent's taskTokenBudget, each LLM
// call of its run counts its tokens on the attempt, a call once the budget is spent is refused
// with TOKEN_BUDGET_EXCEEDED (the stand-in never sees it), and the task and agent views show the tokens.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";

const calls: unknown[] = [];
const standin = createServer(async (req, res) => {
  for await (const chunk of req) void chunk;
  calls.push(req.url);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: "chatcmpl-budget",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 990, completion_tokens: 10, total_tokens: 1000 },
    }),
  );
});
await new Promise<void>((resolve) => standin.listen(0, "127.0.0.1", resolve));
afterAll(() => standin.close());
Object.assign(process.env, {
  LLM_BASE_URL: `http://127.0.0.1:${(standin.address() as AddressInfo).port}/v1`,
  LLM_CENTS_PER_1K_TOKENS: "1",
});

const request = (await import("supertest")).default;
const { createApp } = await import("../../app");
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { hashToken, newToken } = await import("../../lib/passwords");
const { personalWorkspaceId } = await import("../workspaces/personal");
const { afterTaskRunEnded } = await import("../../commands/tasks");

describe("per-agent token budgets per task", () => {
  it("the attempt gets the budget, counts its run's tokens, refuses a call past it, and the views show them", async () => {
    const app = createApp();
    const user = await makeUser({ grant: 10_000 });
    const workspaceId = (await personalWorkspaceId(db, user.id))!;
    const project = await user.caller.project.create({ workspaceId, name: "Budgets" });
    const agent = await db.agent.create({
      data: { slug: `budget-${workspaceId}`, name: "Budgeted", model: "gpt-budget", policy: "llm", workspaceId, taskTokenBudget: 1500 },
    });
    const task = await user.caller.task.create({ projectId: project.id, title: "Write it", status: "ready" });
    const dispatched = await user.caller.task.dispatch({ id: task.id, agentId: agent.id });
    expect(dispatched).toMatchObject({ dispatched: true, agentId: agent.id });
    const attempt = await db.taskAttempt.findFirstOrThrow({ where: { taskId: task.id } });
    expect(attempt).toMatchObject({ tokenBudget: 1500, tokensUsed: 0 });
    expect(attempt.runId).not.toBeNull();
    // The run is up (as its sandbox would be), with a token for the bridge.
    const token = newToken("pdkrun");
    await db.run.update({ where: { id: attempt.runId! }, data: { status: "running", startedAt: new Date(), tokenHash: hashToken(token) } });
    const chat = () =>
      request(app)
        .post(`/api/agent/v1/runs/${attempt.runId}/llm/chat/completions`)
        .set({ authorization: `Bearer ${token}` })
        .send({ messages: [{ role: "user", content: "hi" }] });

    expect((await chat()).status).toBe(200);
    expect((await db.taskAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).tokensUsed).toBe(1000);
    // Under the budget when it starts: answered, though it ends past it.
    expect((await chat()).status).toBe(200);
    expect((await db.taskAttempt.findUniqueOrThrow({ where: { id: attempt.id } })).tokensUsed).toBe(2000);
    const refused = await chat();
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "TOKEN_BUDGET_EXCEEDED",
      message: expect.stringMatching(/used 2000 LLM tokens of the 1500/),
    });
    expect(calls).toHaveLength(2);

    // The run ends: the attempt keeps the tokens its calls used.
    await db.run.update({ where: { id: attempt.runId! }, data: { status: "succeeded", finishedAt: new Date() } });
    await afterTaskRunEnded(attempt.runId!);
    const view = await user.caller.task.get({ id: task.id });
    expect(view).toMatchObject({ status: "done", tokensUsed: 2000 });
    expect(view.attempts).toMatchObject([{ status: "succeeded", tokenBudget: 1500, tokensUsed: 2000 }]);
    const agents = await user.caller.agent.list({ workspaceId });
    expect(agents.find((a) => a.id === agent.id)).toMatchObject({ taskTokenBudget: 1500, performance: { tokensUsed: 2000 } });
  });
});
