// The render stand-in through Paddock's own client: start → id → status by polling, completion
// callbacks signed Standard Webhooks style that verifyStandardWebhook accepts (and refuses when
// tampered, stale or signed with another secret), idempotent starts, injected failures.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRenderStandin, signStandardWebhook, type RenderStandin } from "./render-standin";
import { getRenderJob, startRenderJob, verifyStandardWebhook, RenderServiceError } from "./render-service";

const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
const receiver = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  received.push({ headers: req.headers, body: Buffer.concat(chunks) });
  res.writeHead(204).end();
});
let standin: RenderStandin;
let callbackUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  standin = await startRenderStandin({ delayMs: 50 });
});
afterAll(async () => {
  await standin.close();
  receiver.close();
});

const cfg = () => ({ url: standin.url, apiKey: standin.apiKey });
const until = async <T>(read: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> => {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition not reached");
};

describe("render stand-in", () => {
  it("starts a job, which polling sees succeed", async () => {
    const job = await startRenderJob(cfg(), { idempotencyKey: "poll-1", input: { script: "hi" } });
    expect(job.status).toBe("queued");
    const done = await until(
      () => getRenderJob(cfg(), job.id),
      (j) => j.status === "succeeded",
    );
    expect(done.output?.url).toMatch(/\.mp4$/);
  });

  it("answers a repeated idempotency key with the same job", async () => {
    const a = await startRenderJob(cfg(), { idempotencyKey: "same", input: 1 });
    const b = await startRenderJob(cfg(), { idempotencyKey: "same", input: 1 });
    expect(b.id).toBe(a.id);
  });

  it("calls back with a signature verifyStandardWebhook accepts, and refuses a tampered one", async () => {
    const job = await startRenderJob(cfg(), { idempotencyKey: "hook-1", input: { script: "x" }, callbackUrl });
    const hit = await until(
      () => received.find((r) => r.body.toString().includes(job.id)),
      (r) => r !== undefined,
    );
    const { headers, body } = hit!;
    expect(JSON.parse(body.toString())).toMatchObject({ type: "render.succeeded", data: { id: job.id, status: "succeeded" } });
    expect(verifyStandardWebhook(standin.webhookSecret, headers, body)).toBe(headers["webhook-id"]);

    const tampered = Buffer.from(body.toString().replace("succeeded", "failed"));
    expect(() => verifyStandardWebhook(standin.webhookSecret, headers, tampered)).toThrow(/no valid webhook-signature/);
    expect(() => verifyStandardWebhook(`whsec_${Buffer.from("another secret").toString("base64")}`, headers, body)).toThrow(/signature/);
    expect(() => verifyStandardWebhook(standin.webhookSecret, headers, body, Date.now() + 6 * 60_000)).toThrow(/within 5 minutes/);
    expect(() => verifyStandardWebhook(standin.webhookSecret, { ...headers, "webhook-id": undefined }, body)).toThrow(/missing/);
    // Several signatures (a rotated secret): one valid is enough.
    const ts = Number(headers["webhook-timestamp"]);
    const other = signStandardWebhook(`whsec_${Buffer.from("old").toString("base64")}`, String(headers["webhook-id"]), ts, body.toString());
    const both = { ...headers, "webhook-signature": `${other} ${String(headers["webhook-signature"])}` };
    expect(verifyStandardWebhook(standin.webhookSecret, both, body)).toBe(headers["webhook-id"]);
  });

  it("injected failures: a failed job, a refused start", async () => {
    standin.state.failNextJobs = 1;
    const job = await startRenderJob(cfg(), { idempotencyKey: "fail-1", input: 1 });
    const ended = await until(
      () => getRenderJob(cfg(), job.id),
      (j) => j.status !== "queued" && j.status !== "rendering",
    );
    expect(ended).toMatchObject({ status: "failed", error: expect.stringMatching(/injected/) });

    standin.state.failNextStarts = 1;
    const refused = await startRenderJob(cfg(), { idempotencyKey: "fail-2", input: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RenderServiceError);
    expect((refused as RenderServiceError).retryable).toBe(true);
    await expect(startRenderJob({ ...cfg(), apiKey: "wrong" }, { idempotencyKey: "k", input: 1 })).rejects.toMatchObject({
      retryable: false,
    });
  });
});
