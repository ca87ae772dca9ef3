// The outreach pipeline's render step against the local render stand-in, with a whole Paddock
// (API, workers) running: the step starts when its dependencies are done, the render job's id is
// recorded, and the attempt ends by the signed webhook or, when no webhook comes, by polling;
// replayed and forged webhooks change nothing; failed attempts are retried up to the step's
// attempts, then the step fails and stops its dependent; a job that never ends times out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRenderStandin, signStandardWebhook } from "../../providers/render-standin";
import { freePort } from "../../../scripts/bench/spawn-server";
import { waitUntil } from "../../test/paddock-harness";

const standin = await startRenderStandin({ delayMs: 300 });
const port = await freePort();
// Before server/config.ts is imported. A template "second" is 5 ms here: the render step's 600 s
// timeout is 3 s, its 15 s poll interval 75 ms.
Object.assign(process.env, {
  RENDER_SERVICE_URL: standin.url,
  RENDER_SERVICE_API_KEY: standin.apiKey,
  RENDER_WEBHOOK_SECRET: standin.webhookSecret,
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  EXTERNAL_JOB_SECOND_MS: "5",
  PIPELINE_SWEEP_EVERY_MS: "1000",
  LOG_LEVEL: "warn",
});
const { startPaddock } = await import("../../main");
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { personalWorkspaceId } = await import("../../domain/workspaces/personal");
const { pipelineTaskChanged } = await import("../../commands/pipelines");

let paddock: Awaited<ReturnType<typeof startPaddock>>;
beforeAll(async () => {
  paddock = await startPaddock("all", port);
});
afterAll(async () => {
  await paddock?.stop();
  await standin.close();
});

/** An outreach pipeline whose first three steps the test ends itself (as their agents would). */
async function outreachUpToRender() {
  const user = await makeUser();
  const workspaceId = (await personalWorkspaceId(db, user.id))!;
  const project = await db.project.create({ data: { workspaceId, name: "Outreach", createdById: user.id } });
  const { id, taskIds } = await user.caller.pipeline.start({
    projectId: project.id,
    templateId: "outreach",
    input: { prospect: "Ada", offer: "a demo" },
  });
  // Keep the dispatcher away from the agent steps: this test plays their agents.
  await db.task.updateMany({ where: { pipelineId: id, status: "ready" }, data: { status: "backlog" } });
  for (const key of ["research-prospect", "write-script", "generate-assets"]) {
    await db.task.update({ where: { id: taskIds[key]! }, data: { status: "done", resultSummary: `${key} done`, resultOutput: { key } } });
    await pipelineTaskChanged(taskIds[key]!);
  }
  return { user, pipelineId: id, renderTaskId: taskIds.render!, deliverTaskId: taskIds.deliver! };
}

const taskStatus = async (id: string) => (await db.task.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
const attempts = (taskId: string) => db.pipelineExternalJob.findMany({ where: { taskId }, orderBy: { attempt: "asc" } });

describe("the render step", () => {
  it("completes by the signed webhook; the service got the steps' outputs; a replayed delivery changes nothing", async () => {
    // Polls keep going meanwhile; on a busy machine one could see the end before the webhook lands.
    standin.state.hideEndFromPolls = true;
    let ids: Awaited<ReturnType<typeof outreachUpToRender>>;
    try {
      ids = await outreachUpToRender();
      await waitUntil(async () => (await taskStatus(ids.renderTaskId)) === "done", "the render step to be done", 20_000);
    } finally {
      standin.state.hideEndFromPolls = false;
    }
    const { user, pipelineId, renderTaskId } = ids;
    const [job, ...more] = await attempts(renderTaskId);
    expect(more).toEqual([]);
    expect(job).toMatchObject({ status: "succeeded", completedBy: "webhook", attempt: 1 });
    const sent = standin.state.jobs.get(job!.externalId!)!;
    expect(sent.input).toMatchObject({
      step: "render",
      input: { prospect: "Ada" },
      from: { "generate-assets": { summary: "generate-assets done" } },
    });
    expect(sent.callbackUrl).toBe(`http://127.0.0.1:${port}/api/webhooks/render`);
    const task = await db.task.findUniqueOrThrow({ where: { id: renderTaskId } });
    expect(task.resultOutput).toMatchObject({ url: expect.stringMatching(/\.mp4$/) });

    expect(await standin.redeliver(job!.externalId!)).toBe(200);
    expect(await attempts(renderTaskId)).toHaveLength(1);
    const view = await user.caller.pipeline.get({ id: pipelineId });
    expect(view.steps.find((s) => s.key === "render")!.task!.externalJobs).toMatchObject([{ status: "succeeded", completedBy: "webhook" }]);
  });

  it("completes by polling when no webhook comes", async () => {
    standin.state.dropCallbacks = true;
    try {
      const { renderTaskId } = await outreachUpToRender();
      await waitUntil(async () => (await taskStatus(renderTaskId)) === "done", "the render step to be done", 20_000);
      expect(await attempts(renderTaskId)).toMatchObject([{ status: "succeeded", completedBy: "poll" }]);
    } finally {
      standin.state.dropCallbacks = false;
    }
  });

  it("refuses forged, tampered and stale webhooks without acting", async () => {
    standin.state.dropCallbacks = true;
    standin.state.delayMs = 2_000;
    try {
      const { renderTaskId } = await outreachUpToRender();
      const waiting = await waitUntil(
        async () => (await attempts(renderTaskId)).find((a) => a.status === "waiting"),
        "the job to be accepted",
      );
      const body = JSON.stringify({ type: "render.failed", data: { id: waiting.externalId, status: "failed", error: "forged" } });
      const send = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/api/webhooks/render`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      const now = Math.floor(Date.now() / 1000);
      const signed = (secret: string, ts: number, b = body) => ({
        "webhook-id": `msg_${ts}`,
        "webhook-timestamp": String(ts),
        "webhook-signature": signStandardWebhook(secret, `msg_${ts}`, ts, b),
      });
      const wrongSecret = `whsec_${Buffer.from("not the secret").toString("base64")}`;
      expect((await send(signed(wrongSecret, now))).status).toBe(401);
      expect((await send(signed(standin.webhookSecret, now - 600))).status).toBe(401);
      expect((await send(signed(standin.webhookSecret, now, body.replace("forged", "other")))).status).toBe(401);
      expect((await send({})).status).toBe(401);
      expect(await attempts(renderTaskId)).toMatchObject([{ status: "waiting" }]);
      await waitUntil(async () => (await taskStatus(renderTaskId)) === "done", "the render step to be done", 20_000);
    } finally {
      standin.state.dropCallbacks = false;
      standin.state.delayMs = 300;
    }
  });

  it("retries a failed render, and after the last attempt fails the step and stops its dependent", async () => {
    standin.state.failNextJobs = 1;
    const first = await outreachUpToRender();
    await waitUntil(async () => (await taskStatus(first.renderTaskId)) === "done", "the render step to be done after a retry", 20_000);
    expect(await attempts(first.renderTaskId)).toMatchObject([
      { attempt: 1, status: "failed", completedBy: "webhook", error: expect.stringMatching(/injected/) },
      { attempt: 2, status: "succeeded" },
    ]);

    standin.state.failNextJobs = 3;
    const second = await outreachUpToRender();
    await waitUntil(
      async () => (await db.pipeline.findUniqueOrThrow({ where: { id: second.pipelineId } })).status === "failed",
      "the pipeline to fail at its render step",
      30_000,
    );
    expect((await attempts(second.renderTaskId)).map((a) => a.status)).toEqual(["failed", "failed", "failed"]);
    expect(await db.task.findUniqueOrThrow({ where: { id: second.deliverTaskId } })).toMatchObject({
      status: "canceled",
      error: 'stopped: pipeline step "render" failed',
    });
    expect(await db.pipeline.findUniqueOrThrow({ where: { id: second.pipelineId } })).toMatchObject({
      status: "failed",
      failedStepKey: "render",
    });
  });

  it("times out a job that never ends, attempt after attempt", async () => {
    standin.state.stall = true;
    try {
      const { renderTaskId, pipelineId } = await outreachUpToRender();
      const pipeline = await waitUntil(
        async () => {
          const p = await db.pipeline.findUniqueOrThrow({ where: { id: pipelineId } });
          return p.status === "failed" ? p : null;
        },
        "the pipeline to fail at its timed-out render step",
        40_000,
      );
      expect(await attempts(renderTaskId)).toMatchObject([
        { status: "timed_out", completedBy: "timeout" },
        { status: "timed_out", completedBy: "timeout" },
        { status: "timed_out", completedBy: "timeout" },
      ]);
      expect(pipeline).toMatchObject({ failedStepKey: "render", error: expect.stringMatching(/timed out after 3 attempt/) });
    } finally {
      standin.state.stall = false;
    }
  });
});
