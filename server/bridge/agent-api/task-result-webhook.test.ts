// POST /api/webhooks/task-result over HTTP: only correctly signed, fresh messages act; a replayed
// webhook-id acts once, also when 20 duplicates arrive together.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { startTestPaddock } from "../../test/paddock-harness";

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { signWebhook, newWebhookSecret } = await import("../../lib/standard-webhooks");

let api: Awaited<ReturnType<typeof startTestPaddock>>;
let owner: Awaited<ReturnType<typeof makeUser>>;
let workspaceId: string;

beforeAll(async () => {
  api = await startTestPaddock({}, "api");
  owner = await makeUser();
  workspaceId = (await owner.caller.workspace.create({ name: "Hooks" })).id;
});
afterAll(async () => {
  await api?.stop();
});

/** An external agent holding a claimed task, and its signing secret. */
async function claimedTask(title: string) {
  const agent = await owner.caller.agent.create({
    workspaceId,
    name: "Hooked",
    kind: "external",
    specialization: `hook${Math.random().toString(36).slice(2, 8)}`,
  });
  const { key, signingSecret } = await owner.caller.agent.createKey({ agentId: agent.id });
  const project = await owner.caller.project.create({ workspaceId, name: title });
  const task = await owner.caller.task.create({
    projectId: project.id,
    title,
    status: "ready",
    requiredSpecialization: agent.specialization,
  });
  const res = await fetch(`${api.url}/api/agents/v1/tasks/next`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return { agent, signingSecret, task };
}

const post = (headers: Record<string, string>, body: string) =>
  fetch(`${api.url}/api/webhooks/task-result`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

const minutes = (m: number) => new Date(Date.now() + m * 60_000);

describe("signed task results", () => {
  const cases: {
    name: string;
    make: (secret: string, body: string) => { headers: Record<string, string>; body: string };
    acts: boolean;
  }[] = [
    {
      name: "valid",
      make: (s, b) => ({ headers: { ...signWebhook({ secrets: [s], id: "msg_ok", timestamp: new Date(), body: b }) }, body: b }),
      acts: true,
    },
    {
      name: "several signatures, one valid",
      make: (s, b) => ({
        headers: { ...signWebhook({ secrets: [newWebhookSecret(), s], id: "msg_rot", timestamp: new Date(), body: b }) },
        body: b,
      }),
      acts: true,
    },
    {
      name: "tampered body",
      make: (s, b) => ({
        headers: { ...signWebhook({ secrets: [s], id: "msg_t", timestamp: new Date(), body: b }) },
        body: b.replace("succeeded", "failed"),
      }),
      acts: false,
    },
    {
      name: "wrong secret",
      make: (_s, b) => ({
        headers: { ...signWebhook({ secrets: [newWebhookSecret()], id: "msg_w", timestamp: new Date(), body: b }) },
        body: b,
      }),
      acts: false,
    },
    {
      name: "stale timestamp",
      make: (s, b) => ({ headers: { ...signWebhook({ secrets: [s], id: "msg_s", timestamp: minutes(-6), body: b }) }, body: b }),
      acts: false,
    },
    {
      name: "future timestamp",
      make: (s, b) => ({ headers: { ...signWebhook({ secrets: [s], id: "msg_f", timestamp: minutes(6), body: b }) }, body: b }),
      acts: false,
    },
    {
      name: "missing headers",
      make: (s, b) => {
        const { "webhook-signature": _omit, ...rest } = signWebhook({ secrets: [s], id: "msg_m", timestamp: new Date(), body: b });
        return { headers: { ...rest }, body: b };
      },
      acts: false,
    },
    {
      name: "signature by hand (v1, base64 HMAC-SHA256 of id.timestamp.body)",
      make: (s, b) => {
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = createHmac("sha256", Buffer.from(s.slice("whsec_".length), "base64"))
          .update(`msg_hand.${ts}.${b}`)
          .digest("base64");
        return { headers: { "webhook-id": "msg_hand", "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` }, body: b };
      },
      acts: true,
    },
  ];

  it.each(cases)("$name", async ({ make, acts }) => {
    const { signingSecret, task } = await claimedTask("case");
    const body = JSON.stringify({ taskId: task.id, outcome: "succeeded", summary: "pushed", output: { via: "webhook" } });
    const req = make(signingSecret, body);
    const res = await post(req.headers, req.body);
    expect(res.status).toBe(acts ? 200 : 401);
    const after = await db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(after.status).toBe(acts ? "done" : "running");
    if (acts) expect(after.resultOutput).toEqual({ via: "webhook" });
  });

  it("acts once for a replayed webhook-id, also with 20 duplicates at once", async () => {
    const { agent, signingSecret, task } = await claimedTask("replay");
    const body = JSON.stringify({ taskId: task.id, outcome: "failed", summary: "no luck" });
    const headers = { ...signWebhook({ secrets: [signingSecret], id: "msg_dup", timestamp: new Date(), body }) };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(headers, body).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate?: boolean } })),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(await db.webhookReceipt.count({ where: { agentId: agent.id, webhookId: "msg_dup" } })).toBe(1);
    // One failure recorded, one retry scheduled: the duplicates did not count as more failures.
    expect(await db.taskAttempt.count({ where: { taskId: task.id, status: "failed" } })).toBe(1);
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).tasksFailed).toBe(1);
    const later = await post(headers, body);
    expect(((await later.json()) as { duplicate: boolean }).duplicate).toBe(true);
  });
});
