// The agent bridge over real HTTP: auth, validation, caps, and that refusals write nothing.
import { beforeAll, describe, expect, it, vi } from "vitest";

// Before server/config.ts is imported: a small artifact cap to test against.
vi.hoisted(() => {
  process.env.ARTIFACT_MAX_BYTES = "2048";
  process.env.ARTIFACT_MAX_PER_RUN = "3";
  process.env.ARTIFACT_MAX_BYTES_PER_RUN = "4096";
  process.env.BRIDGE_EVENTS_PER_SECOND = "20";
});
import request from "supertest";
import { createApp } from "../app";
import { db } from "../lib/db";
import { makeLiveRun, makeUser } from "../test/helpers";
import { ensureBuiltinAgents } from "../domain/agents/builtin";
import { checkLedger, balanceOf } from "../domain/ledger";
import { waitUntil } from "../test/paddock-harness";

const app = createApp();
let agentId: string;

beforeAll(async () => {
  agentId = (await ensureBuiltinAgents(db))[0]!.id;
});

const liveRun = (opts: { credits?: number; status?: "running" | "booting" | "succeeded"; target?: number } = {}) =>
  makeLiveRun({ agentId, goal: "Bridge test", status: opts.status, credits: opts.credits, targetValue: opts.target });

async function snapshot(id: string) {
  const [events, run, prompts, artifacts, emails, payments, transfers] = await Promise.all([
    db.runEvent.count({ where: { runId: id } }),
    db.run.findUniqueOrThrow({ where: { id }, select: { currentProgress: true, creditsSpent: true, status: true, eventSeq: true } }),
    db.promptInjection.count({ where: { runId: id } }),
    db.artifact.count({ where: { runId: id } }),
    db.outboundEmail.count({ where: { runId: id } }),
    db.outboundPayment.count({ where: { runId: id } }),
    db.ledgerTransfer.count(),
  ]);
  return { events, run, prompts, artifacts, emails, payments, transfers };
}

describe("bridge auth", () => {
  it("401 without a token or with a wrong one; 403 with another run's token; nothing written", async () => {
    const a = await liveRun();
    const b = await liveRun();
    const before = await snapshot(a.id);
    const body = { events: [{ kind: "log", payload: { message: "hi" } }] };
    expect((await request(app).post(`${a.base}/events`).send(body)).status).toBe(401);
    const wrong = await request(app).post(`${a.base}/events`).set("authorization", "Bearer pdkrun_nope").send(body);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("UNAUTHORIZED");
    const other = await request(app).post(`${a.base}/events`).set(b.auth).send(body);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/another run/);
    expect(await snapshot(a.id)).toEqual(before);
  });

  it("refuses a finished run's token", async () => {
    const r = await liveRun({ status: "succeeded" });
    const res = await request(app).get(`${r.base}/run`).set(r.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/succeeded/);
  });

  it("turns a booting run into a running one when the agent first reports in", async () => {
    const r = await liveRun({ status: "booting" });
    const res = await request(app).get(`${r.base}/run`).set(r.auth).expect(200);
    expect(res.body).toMatchObject({ id: r.id, status: "running", goal: "Bridge test", model: expect.any(String), policy: "demo" });
    // Its workspace (the creator's personal one, by default) and visibility.
    const placed = await db.run.findUniqueOrThrow({ where: { id: r.id }, select: { workspace: { select: { id: true, name: true } } } });
    expect(res.body).toMatchObject({ visibility: "public", workspace: placed.workspace });
    expect(placed.workspace.name).toBe("Personal");
    const run = await db.run.findUniqueOrThrow({ where: { id: r.id } });
    expect(run.status).toBe("running");
    expect(run.expiresAt).not.toBeNull();
  });
});

describe("bridge endpoints", () => {
  it("accepts a batch of events with consecutive sequence numbers", async () => {
    const r = await liveRun();
    const res = await request(app)
      .post(`${r.base}/events`)
      .set(r.auth)
      .send({
        events: [
          { kind: "log", payload: { message: "one" } },
          { kind: "thought", payload: { text: "two" } },
          { kind: "tool_call", payload: { tool: "grep", input: { q: "x" } } },
        ],
      })
      .expect(200);
    expect(res.body.accepted).toBe(3);
    const seqs = (await db.runEvent.findMany({ where: { runId: r.id }, orderBy: { seq: "asc" }, select: { seq: true } })).map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3]);
    expect(res.body.lastSeq).toBe(3);
  });

  it.each([
    ["a malformed event", { events: [{ kind: "log", payload: {} }] }, /events\[0\]\.payload\.message/],
    ["an unknown kind", { events: [{ kind: "telepathy", payload: {} }] }, /events\[0\]\.kind/],
    ["an empty batch", { events: [] }, /events/],
    ["an oversized message", { events: [{ kind: "log", payload: { message: "x".repeat(9000) } }] }, /events\[0\]\.payload\.message/],
  ])("400 for %s, naming the field, writing nothing", async (_name, body, field) => {
    const r = await liveRun();
    const before = await snapshot(r.id);
    const res = await request(app).post(`${r.base}/events`).set(r.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BAD_REQUEST");
    expect(res.body.error.message).toMatch(field);
    expect(await snapshot(r.id)).toEqual(before);
  });

  it("400 for a batch over the cap and for invalid JSON", async () => {
    const r = await liveRun();
    const before = await snapshot(r.id);
    const many = { events: Array.from({ length: 501 }, () => ({ kind: "log", payload: { message: "x" } })) };
    const res = await request(app).post(`${r.base}/events`).set(r.auth).send(many);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("events");
    const bad = await request(app).post(`${r.base}/events`).set(r.auth).set("content-type", "application/json").send("{nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/JSON/);
    expect(await snapshot(r.id)).toEqual(before);
  });

  it("413 for a body over the size limit", async () => {
    const r = await liveRun();
    const before = await snapshot(r.id);
    const huge = { events: [{ kind: "log", payload: { message: "x".repeat(5 * 1024 * 1024) } }] };
    const res = await request(app).post(`${r.base}/events`).set(r.auth).send(huge);
    expect(res.status).toBe(413);
    expect(await snapshot(r.id)).toEqual(before);
  });

  it("records progress and refuses a negative or non-numeric value", async () => {
    const r = await liveRun();
    await request(app).post(`${r.base}/progress`).set(r.auth).send({ value: 4, note: "halfway-ish" }).expect(200);
    const before = await snapshot(r.id);
    for (const value of [-1, "abc", null]) {
      const res = await request(app).post(`${r.base}/progress`).set(r.auth).send({ value });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("value");
    }
    expect(await snapshot(r.id)).toEqual(before);
    const done = await request(app).post(`${r.base}/progress`).set(r.auth).send({ value: 10 }).expect(200);
    expect(done.body).toEqual({ currentProgress: 10, reachedTarget: true });
  });

  it("spends credits within the budget and refuses beyond it", async () => {
    const r = await liveRun({ credits: 100 });
    const ok = await request(app).post(`${r.base}/credits/spend`).set(r.auth).send({ amount: 60, reason: "model call" }).expect(200);
    expect(ok.body).toEqual({ creditsSpent: 60, creditsRemaining: 40 });
    const before = await snapshot(r.id);
    const over = await request(app).post(`${r.base}/credits/spend`).set(r.auth).send({ amount: 41, reason: "too much" });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("INSUFFICIENT_FUNDS");
    expect(over.body.error.field).toBe("amount");
    const bad = await request(app).post(`${r.base}/credits/spend`).set(r.auth).send({ amount: 1.5, reason: "fractions" });
    expect(bad.status).toBe(400);
    expect(await snapshot(r.id)).toEqual(before);
    expect(await balanceOf(db, `run:${r.id}`)).toBe(40);
    expect(await checkLedger(db)).toEqual([]);
  });

  it("uploads a screenshot as an artifact and refuses oversized or missing files", async () => {
    const r = await liveRun();
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6d0a60000000049454e44ae426082",
      "hex",
    );
    const up = await request(app)
      .post(`${r.base}/artifacts`)
      .set(r.auth)
      .field("kind", "screenshot")
      .attach("file", png, { filename: "shot.png", contentType: "image/png" })
      .expect(201);
    expect(up.body).toMatchObject({ kind: "screenshot", contentType: "image/png", size: png.length, filename: "shot.png" });
    const before = await snapshot(r.id);
    const big = await request(app)
      .post(`${r.base}/artifacts`)
      .set(r.auth)
      .attach("file", Buffer.alloc(4096, 1), { filename: "big.bin", contentType: "application/octet-stream" });
    expect(big.status).toBe(413);
    const none = await request(app).post(`${r.base}/artifacts`).set(r.auth).field("kind", "file");
    expect(none.status).toBe(400);
    expect(none.body.error.field).toBe("file");
    const notImage = await request(app)
      .post(`${r.base}/artifacts`)
      .set(r.auth)
      .field("kind", "screenshot")
      .attach("file", Buffer.from("hello"), { filename: "x.txt", contentType: "text/plain" });
    expect(notImage.status).toBe(400);
    expect(await snapshot(r.id)).toEqual(before);
    // A signed-in user can download it; an anonymous one cannot.
    const viewer = await makeUser();
    const { token } = await viewer.caller.user.createApiToken({ name: "t" });
    const file = await request(app).get(`/api/artifacts/${up.body.id}`).set("authorization", `Bearer ${token}`).expect(200);
    expect(file.headers["content-type"]).toBe("image/png");
    expect((await request(app).get(`/api/artifacts/${up.body.id}`)).status).toBe(401);
  });

  it("long-polls for prompts, marks them delivered, and acknowledges them", async () => {
    const r = await liveRun();
    const { submitPrompt } = await import("../domain/runs/prompts");
    const { signalPrompt } = await import("./prompt-signal");
    const started = Date.now();
    const poll = request(app).get(`${r.base}/prompts?wait=10`).set(r.auth);
    setTimeout(() => {
      void submitPrompt(db, { userId: r.user.id, role: r.user.role, runId: r.id, text: "faster" }).then(() => signalPrompt(r.id));
    }, 300);
    const res = await poll.expect(200);
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(res.body.prompts).toHaveLength(1);
    expect(res.body.prompts[0].text).toBe("faster");
    const id = res.body.prompts[0].id;
    expect((await db.promptInjection.findUniqueOrThrow({ where: { id } })).status).toBe("delivered");
    await request(app).post(`${r.base}/prompts/${id}/ack`).set(r.auth).send({ response: "speeding up" }).expect(200);
    const p = await db.promptInjection.findUniqueOrThrow({ where: { id } });
    expect(p.status).toBe("acknowledged");
    expect(p.response).toBe("speeding up");
    const empty = await request(app).get(`${r.base}/prompts?wait=0`).set(r.auth).expect(200);
    expect(empty.body.prompts).toEqual([]);
    const tooLong = await request(app).get(`${r.base}/prompts?wait=60`).set(r.auth);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.field).toBe("wait");
  });

  it("records emails and payments, with validation", async () => {
    const r = await liveRun();
    await request(app)
      .post(`${r.base}/emails`)
      .set(r.auth)
      .send({ to: "lead@example.com", subject: "Hello", body: "Hi there" })
      .expect(201);
    await request(app).post(`${r.base}/payments`).set(r.auth).send({ amountCents: 1999, recipient: "ACME" }).expect(201);
    const before = await snapshot(r.id);
    expect((await request(app).post(`${r.base}/emails`).set(r.auth).send({ to: "nope", subject: "x", body: "y" })).body.error.field).toBe(
      "to",
    );
    expect((await request(app).post(`${r.base}/payments`).set(r.auth).send({ amountCents: -5, recipient: "x" })).body.error.field).toBe(
      "amountCents",
    );
    expect(await snapshot(r.id)).toEqual(before);
    expect(before.emails).toBe(1);
    expect(before.payments).toBe(1);
  });

  it("refuses success below the target and accepts it at the target exactly", async () => {
    const r = await liveRun({ target: 10 });
    await request(app).post(`${r.base}/progress`).set(r.auth).send({ value: 9.5 }).expect(200);
    const early = await request(app).post(`${r.base}/complete`).set(r.auth).send({ outcome: "succeeded" });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/below the target/);
    await request(app).post(`${r.base}/progress`).set(r.auth).send({ value: 10 }).expect(200);
    const done = await request(app).post(`${r.base}/complete`).set(r.auth).send({ outcome: "succeeded", summary: "done" }).expect(200);
    expect(done.body.status).toBe("succeeded");
    // The token dies with the run.
    expect((await request(app).post(`${r.base}/heartbeat`).set(r.auth).send({})).status).toBe(401);
    expect(await balanceOf(db, `run:${r.id}`)).toBe(0);
    expect(await checkLedger(db)).toEqual([]);
  });
});

describe("bridge /complete with a verifier", () => {
  it("does not end the run: it marks it as verifying and hands it to the verify job", async () => {
    const r = await liveRun({ target: 10 });
    await db.run.update({ where: { id: r.id }, data: { verifier: "echo 10" } });
    // The agent's claim is not checked against its own progress: the verifier decides.
    const res = await request(app).post(`${r.base}/complete`).set(r.auth).send({ outcome: "succeeded", summary: "trust me" }).expect(200);
    expect(res.body.status).toBe("running");
    const run = await db.run.findUniqueOrThrow({ where: { id: r.id } });
    expect(run).toMatchObject({ status: "running", summary: "trust me" });
    expect(run.verifyRequestedAt).toBeInstanceOf(Date);
    const { getQueue } = await import("../jobs/queues");
    const { verifyJob } = await import("../jobs/runs/verify");
    expect(await getQueue(verifyJob.name).getJob(`verify-${r.id}`)).toMatchObject({ data: { runId: r.id, trigger: "completed" } });
  });
});

describe("bridge idempotency", () => {
  it("answers a retried spend from the first response instead of spending twice", async () => {
    const r = await liveRun({ credits: 100 });
    const send = () =>
      request(app).post(`${r.base}/credits/spend`).set(r.auth).set("Idempotency-Key", "spend-1").send({ amount: 30, reason: "call" });
    const first = await send().expect(200);
    const again = await send().expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect((await db.run.findUniqueOrThrow({ where: { id: r.id } })).creditsSpent).toBe(30);
  });
});

describe("bridge idempotency keys are bound to their request", () => {
  const log = (message: string) => ({ events: [{ kind: "log", payload: { message } }] });

  it("422 for a key reused with another body or on another endpoint, writing nothing", async () => {
    const r = await liveRun({ credits: 100 });
    await request(app).post(`${r.base}/events`).set(r.auth).set("Idempotency-Key", "k-1").send(log("first")).expect(200);
    const before = await snapshot(r.id);
    const otherBody = await request(app).post(`${r.base}/events`).set(r.auth).set("Idempotency-Key", "k-1").send(log("second"));
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "Idempotency-Key" });
    const otherEndpoint = await request(app)
      .post(`${r.base}/credits/spend`)
      .set(r.auth)
      .set("Idempotency-Key", "k-1")
      .send({ amount: 5, reason: "x" });
    expect(otherEndpoint.status).toBe(422);
    expect(await snapshot(r.id)).toEqual(before);
    // The same request again is still answered from the first response.
    const replay = await request(app).post(`${r.base}/events`).set(r.auth).set("Idempotency-Key", "k-1").send(log("first")).expect(200);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
  });

  it("holds a key for a request in progress only briefly, and tells a retry to come back", async () => {
    const { redis } = await import("../lib/redis");
    const { idempotencyStoreKey } = await import("./idempotency");
    const { pgPool } = await import("../lib/pg");
    const r = await liveRun({ target: 1 });
    // A transaction holding the run's row keeps the first /complete inside its handler.
    const blocker = await pgPool().connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", [r.id]);
    const complete = () => request(app).post(`${r.base}/complete`).set(r.auth).set("Idempotency-Key", "done-1").send({ outcome: "failed" });
    const first = complete().then((res) => res);
    try {
      const key = idempotencyStoreKey(r.id, "done-1");
      await waitUntil(async () => (await redis().exists(key)) === 1, "the first request to claim its key", 10_000);
      const ttl = await redis().ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
      const retry = await complete();
      expect(retry.status).toBe(409);
      expect(retry.body.error.code).toBe("REQUEST_IN_PROGRESS");
      expect(Number(retry.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect((await first).status).toBe(200);
    expect((await db.run.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("failed");
  });
});

describe("bridge per-run quotas", () => {
  it("429 with Retry-After once a run's events-per-second budget is used, writing nothing", async () => {
    const r = await liveRun();
    const batch = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ kind: "log", payload: { message: `e${i}` } })) });
    let accepted = 0;
    let refused: request.Response | undefined;
    // A full second's worth, then single events until one is refused (a second may roll over
    // between two calls, which only resets the window).
    for (let i = 0; i < 60 && !refused; i++) {
      const res = await request(app)
        .post(`${r.base}/events`)
        .set(r.auth)
        .send(batch(i === 0 ? 20 : 1));
      if (res.status === 200) accepted += res.body.accepted;
      else refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(refused!.body.error).toMatchObject({ code: "RATE_LIMITED", field: "events" });
    expect(refused!.headers["retry-after"]).toBe("1");
    expect(await db.runEvent.count({ where: { runId: r.id } })).toBe(accepted);
  });

  it("caps a run's artifacts by count and by total bytes, and leaves no file behind when it refuses", async () => {
    const { readdir } = await import("node:fs/promises");
    const path = await import("node:path");
    const r = await liveRun();
    const upload = (bytes: number) =>
      request(app)
        .post(`${r.base}/artifacts`)
        .set(r.auth)
        .attach("file", Buffer.alloc(bytes, 7), { filename: "f.bin", contentType: "application/octet-stream" });
    await upload(1500).expect(201);
    await upload(1500).expect(201);
    const tooMuch = await upload(1500);
    expect(tooMuch.status).toBe(413);
    expect(tooMuch.body.error.field).toBe("file");
    expect(tooMuch.body.error.message).toMatch(/4096 bytes in all/);
    await upload(10).expect(201);
    const tooMany = await upload(10);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.message).toMatch(/3 artifacts/);
    const badKind = await request(app)
      .post(`${r.base}/artifacts`)
      .set(r.auth)
      .field("kind", "poster")
      .attach("file", Buffer.alloc(10), "f.bin");
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.field).toBe("kind");
    const artifactDir = path.resolve(process.env.DATA_DIR!, "artifacts");
    expect(await readdir(path.join(artifactDir, r.id))).toHaveLength(3);
    expect(await readdir(path.join(artifactDir, ".incoming"))).toEqual([]);
    expect(await db.artifact.count({ where: { runId: r.id } })).toBe(3);
  });
});
