// Kill the API under an open page and start it again: the page reconnects by itself and catches
// up on the events stored while it was away (run:subscribe with afterSeq), without a reload.
// The API runs as a child process here so it can really be killed (SIGKILL, no goodbye).
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import {
  browserDescribe,
  dataNumber,
  documentStillMarked,
  markDocument,
  screenshot,
  signIn,
  useBrowser,
  waitForLive,
  waitForValue,
} from "./support/browser";
import { ensureClientBuilt } from "../scripts/client-build";
import { freePort } from "../scripts/bench/spawn-server";
import { db } from "../server/lib/db";
import { makeUser } from "../server/test/helpers";
import { makeRun } from "../server/domain/betting/fixtures";
import { appendEvents } from "../server/domain/runs/events-sql";
import { live } from "../server/realtime/emit";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Starts `server/main.ts` (API role) on `port` against this test file's database and Redis prefix. */
async function startApi(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PADDOCK_ROLE: "api", SERVE_CLIENT: "true", LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForValue(
    () => fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status),
    (status) => status === 200,
    "the API to answer",
    30_000,
  );
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Stores log events the way the bridge does (next seq numbers on the run) and optionally publishes them. */
async function addEvents(runId: string, messages: string[], publish: boolean) {
  const stored = await db.$transaction((tx) =>
    appendEvents(
      tx,
      runId,
      messages.map((message) => ({ kind: "log" as const, payload: { message } })),
    ),
  );
  if (publish) {
    live.run(runId, "run:events", { runId, events: stored.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) });
  }
  return stored;
}

browserDescribe("reconnecting after an API restart", () => {
  let api: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    await ensureClientBuilt();
    port = await freePort();
    api = await startApi(port);
  }, 180_000);

  afterAll(async () => {
    if (api) await kill(api);
  });

  // Registered after the API's hooks: launched after it starts, closed before it is killed.
  const browser = useBrowser();

  it("reconnects by itself and catches up on missed events and progress", async () => {
    const user = await makeUser({ name: "Rita Reconnect" });
    const { runId } = await makeRun(db, { createdById: user.id });
    await addEvents(runId, ["one", "two", "three", "four", "five"], false);

    const base = `http://127.0.0.1:${port}`;
    const { context, page, errors } = await browser.newPage();
    await signIn(page, base, { email: user.email, password: "correct horse battery" }, `/runs/${runId}`);
    await page.getByTestId("run-page").waitFor();
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n === 5,
      "the stored events",
    );
    await markDocument(page);

    // Live while connected: published from this process through Redis to the API's socket.
    await addEvents(runId, ["six", "seven"], true);
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n === 7,
      "live events",
    );

    // Crash the API. The page notices and keeps trying.
    await kill(api!);
    api = undefined;
    await page.locator('[data-testid="connection-status"][data-state="reconnecting"]').waitFor({ timeout: 15_000 });

    // Meanwhile the run moves on (as if another API process took the agent's reports).
    await addEvents(runId, ["eight", "nine", "ten", "eleven"], true);
    await db.run.update({ where: { id: runId }, data: { currentProgress: 42 } });
    await screenshot(page, "e2e-reconnecting");

    api = await startApi(port);
    await waitForLive(page, 30_000);
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n === 11,
      "the missed events",
      15_000,
    );
    await waitForValue(
      () => dataNumber(page, '[data-testid="run-progress"]', "data-progress"),
      (n) => n === 42,
      "the missed progress",
      15_000,
    );
    expect(await dataNumber(page, '[data-testid="event-feed"]', "data-last-seq")).toBe(11);
    const seqs = await page.locator(".feed-row").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-seq"))));
    expect(new Set(seqs).size).toBe(seqs.length); // no duplicates after the replay

    // And live delivery works again after the restart.
    await addEvents(runId, ["twelve"], true);
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n === 12,
      "live events after the restart",
    );
    expect(await documentStillMarked(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
