// The bridge with Redis unreachable: agents must keep working (replay protection and the event
// rate step aside, prompts are found in Postgres), never a 5xx that makes them give up.
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // Nothing listens on port 1: every Redis command is refused.
  process.env.REDIS_URL = "redis://127.0.0.1:1";
});
import request from "supertest";
import { createApp } from "../app";
import { db } from "../lib/db";
import { makeLiveRun } from "../test/helpers";
import { ensureBuiltinAgents } from "../domain/agents/builtin";
import { submitPrompt } from "../domain/runs/prompts";
import { checkLedger } from "../domain/ledger";
import { signalPrompt } from "./prompt-signal";

const app = createApp();
let agentId: string;

beforeAll(async () => {
  agentId = (await ensureBuiltinAgents(db))[0]!.id;
});

// Decided by the agent's own report here: a verifier runs in a worker job, which needs Redis
// (the second test covers a run with one).
const bootingRun = (opts: { verifier?: string } = {}) => makeLiveRun({ agentId, goal: "Redis is down", status: "booting", ...opts });

describe("the bridge while Redis is down", () => {
  it("starts the run, takes events, progress, spends and prompts, and completes it", async () => {
    const r = await bootingRun();
    // The first call starts the run, whose expiry and pool lock cannot be queued right now.
    const run = await request(app).get(`${r.base}/run`).set(r.auth).expect(200);
    expect(run.body.status).toBe("running");

    const key = { "Idempotency-Key": "spend-1" };
    await request(app)
      .post(`${r.base}/events`)
      .set(r.auth)
      .set("Idempotency-Key", "ev-1")
      .send({ events: [{ kind: "log", payload: { message: "hi" } }] })
      .expect(200);
    await request(app).post(`${r.base}/progress`).set(r.auth).send({ value: 4 }).expect(200);
    await request(app).post(`${r.base}/credits/spend`).set(r.auth).set(key).send({ amount: 10, reason: "call" }).expect(200);

    const poll = request(app).get(`${r.base}/prompts?wait=3`).set(r.auth);
    await submitPrompt(db, { userId: r.user.id, role: r.user.role, runId: r.id, text: "faster" });
    await signalPrompt(r.id); // lost: Redis is down
    const prompts = await poll.expect(200);
    expect(prompts.body.prompts.map((p: { text: string }) => p.text)).toEqual(["faster"]);

    await request(app).post(`${r.base}/heartbeat`).set(r.auth).send({}).expect(200);
    const done = await request(app).post(`${r.base}/complete`).set(r.auth).send({ outcome: "failed", summary: "gave up" }).expect(200);
    expect(done.body.status).toBe("failed");
    const row = await db.run.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ status: "failed", creditsSpent: 10, currentProgress: 4 });
    expect(await checkLedger(db)).toEqual([]);
  });

  it("takes a completion that needs its verifier, recording it for the reaper to enqueue", async () => {
    const r = await bootingRun({ verifier: "echo 10" });
    await request(app).get(`${r.base}/run`).set(r.auth).expect(200);
    const done = await request(app).post(`${r.base}/complete`).set(r.auth).send({ outcome: "succeeded" }).expect(200);
    // The verifier, not the agent, decides: the run stays live until the verify job has run.
    expect(done.body.status).toBe("running");
    const row = await db.run.findUniqueOrThrow({ where: { id: r.id } });
    expect(row.status).toBe("running");
    expect(row.verifyRequestedAt).toBeInstanceOf(Date);
  });
});
