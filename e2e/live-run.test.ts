// Browser end to end: two people in two browser contexts against a real Paddock (API, Socket.IO
// and workers in-process, the built client served by Express). Launch a demo-agent run, watch it
// live, bet against each other, and see the winner's balance rise — all without reloading.
import { expect, it } from "vitest";
import {
  browserDescribe,
  dataNumber,
  documentStillMarked,
  markDocument,
  person,
  screenshot,
  signIn,
  signUp,
  useBrowserStack,
  waitForLive,
  waitForValue,
} from "./support/browser";

browserDescribe("browser end to end", () => {
  // Paddock's start creates the built-in agents (the demo agent these runs launch).
  const stack = useBrowserStack();

  it("signs up, out and back in; shows field errors; guards pages", async () => {
    const { page, errors } = await stack.newPage();
    await page.goto(`${stack.url}/account`);
    await page.waitForURL((u) => u.pathname === "/signin");

    const who = person("Ada");
    await page.goto(`${stack.url}/signup`);
    await page.getByLabel("Name").fill(who.name);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    expect(await page.getByTestId("field-error").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/valid email/), expect.stringMatching(/at least 8 characters/)]),
    );

    await signUp(page, stack.url, who);
    expect(await dataNumber(page, '[data-testid="balance"]', "data-cents")).toBe(100_000);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/signin");

    // The same email again is refused by the server, under the email field.
    await page.goto(`${stack.url}/signup`);
    await page.getByLabel("Name").fill(who.name);
    await page.getByLabel("Email").fill(who.email);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page
      .getByTestId("field-error")
      .filter({ hasText: /already registered/ })
      .waitFor();

    await page.goto(`${stack.url}/signin`);
    await page.getByLabel("Email").fill(who.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /wrong email or password/ })
      .waitFor();

    await signIn(page, stack.url, who, "/account");
    expect(new URL(page.url()).pathname).toBe("/account");
    await page.getByTestId("account-balance").waitFor();
    expect(errors).toEqual([]);
  });

  it("launches a demo run, streams it live, and settles the bets on screen", async () => {
    const a = await stack.signedUp("Alice");

    // The launch form: client-side rules first, then the server's own field error.
    await a.page.getByRole("link", { name: "Launch a run" }).click();
    await a.page.getByTestId("launch-form").waitFor();
    await a.page.getByRole("button", { name: "Launch run" }).click();
    await a.page
      .getByTestId("field-error")
      .filter({ hasText: /at least 3 characters/ })
      .waitFor();

    await a.page.getByLabel("Goal").fill("Reach 10 demo steps in the e2e test");
    await a.page.getByLabel("Metric").fill("steps");
    await a.page.getByLabel("Target").fill("10");
    await a.page.getByLabel("Duration (minutes)").fill("10");
    await a.page.getByLabel("Credits ($)").fill("5000");
    await a.page.locator("details.advanced summary").click();
    await a.page.getByLabel("Agent config (JSON)").fill('{"stepMs": 2000, "progressPerStep": 1, "screenshotEvery": 3}');
    await a.page.getByRole("button", { name: "Launch run" }).click();
    // More credits than the balance: refused by the server, shown under the credits field.
    await a.page
      .getByTestId("field-error")
      .filter({ hasText: /balance|insufficient|funds/i })
      .waitFor();
    await a.page.getByLabel("Credits ($)").fill("5");
    await a.page.getByRole("button", { name: "Launch run" }).click();
    await a.page.waitForURL((u) => u.pathname.startsWith("/runs/"), { timeout: 15_000 });
    const runPath = new URL(a.page.url()).pathname;
    await a.page.getByTestId("run-page").waitFor();
    await markDocument(a.page);

    // Status, events and progress arrive over the socket.
    await waitForValue(
      () => a.page.getByTestId("run-status").first().getAttribute("data-status"),
      (s) => s === "running",
      "the run to start",
      45_000,
    );
    await waitForValue(
      () => dataNumber(a.page, '[data-testid="event-feed"]', "data-count"),
      (n) => n >= 3,
      "events in the feed",
    );
    await waitForValue(
      () => dataNumber(a.page, '[data-testid="run-progress"]', "data-progress"),
      (n) => n >= 1,
      "progress",
    );

    // Alice steers her run, so she may not bet on it: the bet panel says why.
    await a.page
      .getByTestId("bet-refusal")
      .filter({ hasText: /your own run/ })
      .waitFor();

    // Carol, in another browser, takes NO.
    const c = await stack.signedUp("Carol");
    await c.page.goto(`${stack.url}${runPath}`);
    await c.page.getByTestId("run-page").waitFor();
    await waitForLive(c.page);
    await c.page.getByTestId("bet-side-no").click();
    await c.page.getByTestId("bet-amount").fill("20");
    expect(await c.page.getByTestId("bet-payout").textContent()).toBe("$20.00");
    await c.page.getByTestId("place-bet").click();
    await waitForValue(
      () => dataNumber(a.page, '[data-testid="odds"]', "data-no"),
      (n) => n === 2000,
      "Carol's bet in the pool",
      10_000,
    );
    await c.page.getByTestId("my-bets").getByText("$20.00", { exact: true }).waitFor();

    // Bob, in a third browser, takes YES; the quote reflects Carol's stake.
    const b = await stack.signedUp("Bob");
    await b.page.locator(`[data-testid="run-card"][href="${runPath}"]`).waitFor();
    await screenshot(b.page, "e2e-arena-live");
    await b.page.goto(`${stack.url}${runPath}`);
    await b.page.getByTestId("run-page").waitFor();
    await waitForLive(b.page);
    await b.page.getByTestId("bet-side-yes").click();
    await b.page.getByTestId("bet-amount").fill("10");
    expect(await b.page.getByTestId("bet-payout").textContent()).toBe("$30.00");
    await b.page.getByTestId("place-bet").click();
    await waitForValue(
      () => dataNumber(b.page, '[data-testid="balance"]', "data-cents"),
      (n) => n === 99_000,
      "Bob's stake to leave his balance",
      10_000,
    );
    await markDocument(b.page);

    // Alice sees the odds move without reloading.
    await waitForValue(
      () => dataNumber(a.page, '[data-testid="odds"]', "data-yes"),
      (n) => n === 1000,
      "Bob's bet on Alice's screen",
      10_000,
    );
    expect(await a.page.getByTestId("odds-yes").textContent()).toContain("3.00×");
    // ...and Bob's bet at the top of the run's recent bets, pushed live.
    await a.page
      .getByTestId("recent-bets")
      .locator("li")
      .first()
      .filter({ hasText: "Bob" })
      .filter({ hasText: "$10.00" })
      .waitFor({ timeout: 10_000 });

    await screenshot(a.page, "e2e-run-detail-live");

    // The agent reaches its target: the run succeeds and YES wins the whole pool.
    await waitForValue(
      () => a.page.getByTestId("run-status").first().getAttribute("data-status"),
      (s) => s === "succeeded",
      "the run to succeed",
      60_000,
    );
    await waitForValue(
      () => dataNumber(b.page, '[data-testid="balance"]', "data-cents"),
      (n) => n === 102_000,
      "Bob's payout on his screen",
      30_000,
    );
    await b.page.getByTestId("bet-result").filter({ hasText: /won/ }).waitFor({ timeout: 15_000 });
    expect(await documentStillMarked(a.page)).toBe(true);
    expect(await documentStillMarked(b.page)).toBe(true);

    const events = await dataNumber(a.page, '[data-testid="event-feed"]', "data-count");
    expect(events).toBeGreaterThanOrEqual(10);
    await screenshot(a.page, "e2e-run-detail");
    await a.page.goto(`${stack.url}/`);
    await a.page.getByTestId("arena-grid").waitFor();
    await screenshot(a.page, "e2e-arena");
    await b.page.goto(`${stack.url}/account`);
    await b.page.getByTestId("my-bets-table").waitFor();
    expect(await b.page.getByTestId("bets-pl").textContent()).toBe("+$20.00");
    await screenshot(b.page, "e2e-account");

    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  }, 180_000);

  it("renders at phone width without horizontal scrolling", async () => {
    const { page } = await stack.signedUp("Phone", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    for (const path of ["/", "/launch", "/compare", "/account"]) {
      await page.goto(`${stack.url}${path}`);
      await page.locator(".page-head").first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
    }
    await page.goto(`${stack.url}/`);
    await page.getByTestId("run-card").first().waitFor();
    const run = await page.getByTestId("run-card").first().getAttribute("href");
    await page.goto(`${stack.url}${run}`);
    await page.getByTestId("run-page").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, "e2e-run-detail-phone");
    await page.goto(`${stack.url}/`);
    await screenshot(page, "e2e-arena-phone");
  });
});
