// The live feed under volume: a run with 10,000 stored events plus 10,000 more arriving live.
// The feed is virtualized, so the DOM holds only the visible rows wherever it is scrolled;
// older events page in when scrolled to the top.
import { expect, it } from "vitest";
import { browserDescribe, dataNumber, screenshot, useBrowserStack, waitForValue } from "./support/browser";

const STORED = 10_000;
const LIVE = 10_000;
const LIVE_BATCH = 250;

browserDescribe("event feed at volume", () => {
  const stack = useBrowserStack({ role: "api" });

  it("keeps the DOM small with 20,000 events", async () => {
    const { db } = await import("../server/lib/db");
    const { makeUser } = await import("../server/test/helpers");
    const { live } = await import("../server/realtime/emit");
    const { makeRun } = await import("../server/domain/betting/fixtures");
    const { appendEvents } = await import("../server/domain/runs/events-sql");
    const user = await makeUser({ name: "Vera Volume" });
    const { runId } = await makeRun(db, { createdById: user.id });
    // Stores log lines the way the bridge does: the run hands out the next seq numbers.
    const store = (from: number, count: number, prefix: string) =>
      db.$transaction((tx) =>
        appendEvents(
          tx,
          runId,
          Array.from({ length: count }, (_, i) => ({ kind: "log" as const, payload: { message: `${prefix} line ${from + i}` } })),
        ),
      );
    await store(1, STORED, "stored");

    const { page, errors } = await stack.signedIn({ email: user.email, password: "correct horse battery" }, `/runs/${runId}`);
    await page.getByTestId("run-page").waitFor();
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n >= 100,
      "the newest stored events",
    );

    // 10,000 live events in batches, as fast as they can be stored and published.
    for (let sent = 0; sent < LIVE; sent += LIVE_BATCH) {
      const rows = await store(STORED + sent + 1, LIVE_BATCH, "live");
      live.run(runId, "run:events", {
        runId,
        events: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
      });
    }
    const total = await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n >= LIVE + 100,
      "every live event in the feed",
      30_000,
    );
    expect(await dataNumber(page, '[data-testid="event-feed"]', "data-last-seq")).toBe(STORED + LIVE);
    // Following the newest event: the last row is on screen.
    await page.locator(`.feed-row[data-seq="${STORED + LIVE}"]`).waitFor();

    // Virtualized: only the visible rows (plus overscan) exist.
    expect(await page.locator(".feed-row").count()).toBeLessThan(80);

    // Scroll through the whole feed: at every position only the visible rows exist. (How smooth
    // it feels is a matter for benchmarks, not assertions: timing in tests only measures the CI box.)
    const maxRows = await page.evaluate(async () => {
      const el = document.querySelector<HTMLElement>(".feed-scroll")!;
      let most = 0;
      for (let i = 0; i <= 60; i++) {
        el.scrollTop = el.scrollHeight - el.clientHeight - (i / 60) * (el.scrollHeight - el.clientHeight) * 0.9;
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        most = Math.max(most, document.querySelectorAll(".feed-row").length);
      }
      return most;
    });
    expect(maxRows).toBeGreaterThan(5);
    expect(maxRows).toBeLessThan(80);

    // At the top, older events page in (the first page held only the newest 100 stored).
    await page.evaluate(() => {
      document.querySelector<HTMLElement>(".feed-scroll")!.scrollTop = 0;
    });
    await waitForValue(
      () => dataNumber(page, '[data-testid="event-feed"]', "data-count"),
      (n) => n > total,
      "older events after scrolling to the top",
      15_000,
    );
    await screenshot(page, "e2e-feed-20k");
    expect(errors).toEqual([]);
  }, 120_000);
});
