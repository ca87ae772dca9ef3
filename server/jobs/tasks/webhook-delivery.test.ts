// Outgoing task.assigned deliveries to an agent with a webhookUrl: signed Standard Webhooks style,
// retried with backoff after a failure, logged, readable and replayable by whoever manages the agent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { useTestPaddock, waitUntil } from "../../test/paddock-harness";

Object.assign(process.env, { WEBHOOK_BACKOFF_MS: "100", TASK_DISPATCH_EVERY_MS: "300" });

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { verifyWebhook } = await import("../../lib/standard-webhooks");
useTestPaddock();

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let failNext = 1;
let receiver: http.Server;
let url: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      if (failNext > 0) {
        failNext -= 1;
        res.statusCode = 503;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
});

describe("task.assigned deliveries", () => {
  it("are signed, retried after a failure, logged and replayable", async () => {
    const owner = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Pushed" })).id;
    const agent = await owner.caller.agent.create({
      workspaceId,
      name: "Hooked",
      kind: "external",
      specialization: "pushed",
      webhookUrl: url,
    });
    const { signingSecret } = await owner.caller.agent.createKey({ agentId: agent.id });
    // Only a builtin agent may not have a webhook URL.
    await expect(owner.caller.agent.create({ workspaceId, name: "Inside", kind: "builtin", webhookUrl: url })).rejects.toThrow(
      /webhookUrl/,
    );
    const project = await owner.caller.project.create({ workspaceId, name: "Push", brief: "Pushed work." });
    const task = await owner.caller.task.create({
      projectId: project.id,
      title: "Push me",
      status: "ready",
      requiredSpecialization: "pushed",
    });

    const delivery = await waitUntil(async () => {
      const d = await db.webhookDelivery.findFirst({ where: { agentId: agent.id } });
      return d?.status === "succeeded" ? d : null;
    }, "the delivery to succeed");
    expect(delivery.attempts).toBe(2);
    expect(received).toHaveLength(2);
    // The same message both times, correctly signed.
    expect(received[0]!.headers["webhook-id"]).toBe(received[1]!.headers["webhook-id"]);
    const last = received[1]!;
    expect(verifyWebhook({ secrets: [signingSecret], headers: last.headers, body: last.body, now: new Date() }).ok).toBe(true);
    const payload = JSON.parse(last.body) as {
      type: string;
      data: { taskId: string; attempt: number; context: { project: { brief: string } } };
    };
    expect(payload).toMatchObject({
      type: "task.assigned",
      data: { taskId: task.id, attempt: 1, context: { project: { brief: "Pushed work." } } },
    });
    // Offered to the agent: the task is running under its claim (with a lease).
    const attempt = await db.taskAttempt.findFirstOrThrow({ where: { taskId: task.id } });
    expect(attempt).toMatchObject({ agentId: agent.id, status: "running" });
    expect(attempt.leaseExpiresAt).not.toBeNull();

    const log = await owner.caller.agent.deliveries({ agentId: agent.id });
    expect(log.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode])).toEqual([["task.assigned", "succeeded", 2, 200]]);
    const member = await makeUser();
    await db.workspaceMember.create({ data: { workspaceId, userId: member.id, role: "member" } });
    await expect(member.caller.agent.deliveries({ agentId: agent.id })).rejects.toThrow(/owners and admins/);

    await owner.caller.agent.replayDelivery({ deliveryId: delivery.id });
    await waitUntil(() => received.length === 3, "the replay");
    expect(received[2]!.headers["webhook-id"]).toBe(received[0]!.headers["webhook-id"]);
    await waitUntil(
      async () => (await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).status === "succeeded",
      "replay logged",
    );
  });
});
