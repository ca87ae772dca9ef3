// The demo policy against a small in-memory fake of the bridge calls it makes (PolicyBridge);
// the real HTTP bridge is covered by the server's integration tests.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CompletionOutcome, EventInput, Prompt, RunInfo } from "../../shared/bridge";
import { BridgeError } from "../sdk";
import type { PolicyBridge } from "./context";
import { runDemoPolicy } from "./demo";

function fakeBridge(options: { budget?: number; prompts?: Prompt[][] } = {}) {
  const events: EventInput[] = [];
  const progress: number[] = [];
  const uploads: { filename: string; size: number }[] = [];
  const acks: { id: string; response?: string }[] = [];
  const promptQueue = [...(options.prompts ?? [])];
  let spent = 0;
  let completion: { outcome: CompletionOutcome; summary?: string } | undefined;

  const client: PolicyBridge = {
    async events(batch) {
      events.push(...batch);
      return { accepted: batch.length, lastSeq: events.length };
    },
    async event(kind, payload) {
      return client.events([{ kind, payload } as EventInput]);
    },
    async progress(value) {
      progress.push(value);
      return { currentProgress: value, reachedTarget: value >= 100 };
    },
    async uploadArtifact(input) {
      uploads.push({ filename: input.filename, size: input.content.length });
      return {
        id: `art_${uploads.length}`,
        kind: "screenshot",
        filename: input.filename,
        size: input.content.length,
        contentType: input.contentType,
      };
    },
    async prompts() {
      return promptQueue.shift() ?? [];
    },
    async ack(id, response) {
      acks.push({ id, response });
      return { id, status: "acknowledged" };
    },
    async spendCredits(amount) {
      if (options.budget !== undefined && spent + amount > options.budget) {
        throw new BridgeError(409, "INSUFFICIENT_FUNDS", `budget of ${options.budget} exhausted`);
      }
      spent += amount;
      return { creditsSpent: spent, creditsRemaining: (options.budget ?? Infinity) - spent };
    },
    async complete(outcome, summary) {
      completion = { outcome, summary };
      return { status: outcome };
    },
  };
  return { client, events, progress, uploads, acks, completion: () => completion, spent: () => spent };
}

const run = (agentConfig: Record<string, unknown>): RunInfo => ({
  id: "run_1",
  goal: "Sign up 100 users",
  metric: "signups",
  targetValue: 100,
  currentProgress: 0,
  status: "running",
  creditBudget: 1000,
  creditsSpent: 0,
  agentConfig: { stepMs: 10, ...agentConfig },
  model: "demo",
  policy: "demo",
});

const ctx = (bridge: ReturnType<typeof fakeBridge>, config: Record<string, unknown>) => ({
  client: bridge.client,
  run: run(config),
  signal: new AbortController().signal,
  log: () => undefined,
});

describe("runDemoPolicy", () => {
  it("reaches exactly the target, paying per step, with screenshots referencing their artifacts", async () => {
    const bridge = fakeBridge();
    const result = await runDemoPolicy(ctx(bridge, { creditsPerStep: 2 }));
    expect(result.outcome).toBe("succeeded");
    expect(bridge.progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(bridge.spent()).toBe(20);
    expect(bridge.uploads.map((u) => u.filename)).toEqual(["step-0005.png", "step-0010.png"]);
    const shots = bridge.events.filter((e) => e.kind === "screenshot");
    expect(shots.map((e) => (e.payload as { artifactId: string }).artifactId)).toEqual(["art_1", "art_2"]);
    expect(bridge.completion()?.outcome).toBe("succeeded");
  });

  it("leaves one result file per unit of progress for the run's verifier to count", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "paddock-demo-results-"));
    try {
      const bridge = fakeBridge();
      await runDemoPolicy({ ...ctx(bridge, { succeed: false, progressPerStep: 7 }), resultsDir: dir });
      expect(bridge.progress.at(-1)).toBe(60);
      expect(await readdir(dir)).toHaveLength(60);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stalls and fails when configured not to succeed", async () => {
    const bridge = fakeBridge();
    await runDemoPolicy(ctx(bridge, { succeed: false }));
    expect(bridge.progress.at(-1)).toBe(60);
    expect(bridge.completion()?.outcome).toBe("failed");
  });

  it("stops with an error event and a failed completion when credits run out", async () => {
    const bridge = fakeBridge({ budget: 3 });
    await runDemoPolicy(ctx(bridge, {}));
    expect(bridge.progress).toEqual([10, 20, 30]);
    expect(bridge.events.some((e) => e.kind === "error" && /Out of credits/.test((e.payload as { message: string }).message))).toBe(true);
    expect(bridge.completion()).toEqual({ outcome: "failed", summary: "out of credits after 3 step(s)" });
  });

  it("acknowledges prompts and stops on 'stop'", async () => {
    const prompt = (id: string, text: string): Prompt => ({ id, text, createdAt: "2030-01-01T00:00:00Z" });
    const bridge = fakeBridge({ prompts: [[], [prompt("p1", "faster please"), prompt("p2", "hello")], [prompt("p3", "STOP")]] });
    await runDemoPolicy(ctx(bridge, { stepMs: 40 }));
    expect(bridge.acks.map((a) => a.id)).toEqual(["p1", "p2", "p3"]);
    expect(bridge.acks[0]!.response).toBe("Going faster: one step every 20 ms.");
    expect(bridge.acks[1]!.response).toMatch(/understands "faster", "slower" and "stop"/);
    expect(bridge.progress).toEqual([10, 20]);
    expect(bridge.completion()).toEqual({ outcome: "failed", summary: "stopped by prompt" });
  });

  it("returns promptly when aborted", async () => {
    const bridge = fakeBridge();
    const controller = new AbortController();
    const pending = runDemoPolicy({ ...ctx(bridge, { stepMs: 60_000 }), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).resolves.toMatchObject({ outcome: "aborted" });
    expect(bridge.completion()).toBeUndefined();
  });

  it("fails clearly on an invalid agentConfig", async () => {
    const bridge = fakeBridge();
    await runDemoPolicy(ctx(bridge, { screenshotEvery: -1 }));
    expect(bridge.completion()?.summary).toMatch(/^invalid agentConfig: agentConfig\.screenshotEvery: /);
  });
});
