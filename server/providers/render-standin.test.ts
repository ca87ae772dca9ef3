// The render stand-in through Paddock's own client: start → id → status by polling, completion
// callbacks signed Standard Webhooks style that server/lib/standard-webhooks.ts accepts (and refuses when
// tampered, stale or signed with another secret), idempotent starts, injected failures.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRenderStandin, signStandardWebhook, type RenderStandin } from "./render-standin";
import { getRenderJob, startRenderJob, RenderServiceError } from "./render-service";
import { verifyWebhook } from "../lib/standard-webhooks";

// The stand-in signs with its own implementation of the spec; Paddock verifies with its library.
const verify = (secret: string, headers: Record<string, string | string[] | undefined>, body: Buffer, now = new Date()) =>
  verifyWebhook({ secrets: [secret], headers, body, now });

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

  it("calls back with a signature Paddock's verifier accepts, and refuses a tampered one", async () => {
    const job = await startRenderJob(cfg(), { idempotencyKey: "hook-1", input: { script: "x" }, callbackUrl });
    const hit = await until(
      () => received.find((r) => r.body.toString().includes(job.id)),
      (r) => r !== undefined,
    );
    const { headers, body } = hit!;
    expect(JSON.parse(body.toString())).toMatchObject({ type: "render.succeeded", data: { id: job.id, status: "succeeded" } });
    expect(verify(standin.webhookSecret, headers, body)).toMatchObject({ ok: true, id: headers["webhook-id"] });

    const tampered = Buffer.from(body.toString().replace("succeeded", "failed"));
    expect(verify(standin.webhookSecret, headers, tampered)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verify(`whsec_${Buffer.from("another secret").toString("base64")}`, headers, body)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verify(standin.webhookSecret, headers, body, new Date(Date.now() + 6 * 60_000))).toEqual({ ok: false, reason: "stale" });
    expect(verify(standin.webhookSecret, { ...headers, "webhook-id": undefined }, body)).toEqual({ ok: false, reason: "missing-headers" });
    // Several signatures (a rotated secret): one valid is enough.
    const ts = Number(headers["webhook-timestamp"]);
    const other = signStandardWebhook(`whsec_${Buffer.from("old").toString("base64")}`, String(headers["webhook-id"]), ts, body.toString());
    const both = { ...headers, "webhook-signature": `${other} ${String(headers["webhook-signature"])}` };
    expect(verify(standin.webhookSecret, both, body)).toMatchObject({ ok: true });
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
