// Browser end to end with the Stripe stand-in playing Stripe: a user adds credits through Checkout and
// sees the balance rise live in another tab; a workspace owner subscribes to a plan, sees it and its
// invoice on the billing page, and cancels it in the portal.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServer } from "node:net";
import type { Browser, BrowserContext } from "playwright-core";
import {
  browserDescribe,
  dataNumber,
  documentStillMarked,
  launchBrowser,
  markDocument,
  person,
  screenshot,
  signUp,
  waitForValue,
  watchErrors,
} from "./support/browser";
import { ensureClientBuilt } from "../scripts/client-build";
import { startStripeStandin, type StripeStandin } from "../server/billing/stripe-standin";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

browserDescribe("billing in the browser", () => {
  let browser: Browser;
  let baseUrl: string;
  let standin: StripeStandin;
  let stopPaddock: () => Promise<void>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    standin = await startStripeStandin();
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    // Before any server module reads the configuration.
    Object.assign(process.env, {
      SERVE_CLIENT: "true",
      PUBLIC_URL: baseUrl,
      STRIPE_SECRET_KEY: standin.apiKey,
      STRIPE_WEBHOOK_SECRET: standin.webhookSecret,
      STRIPE_API_BASE: standin.url,
    });
    await ensureClientBuilt();
    const { startPaddock } = await import("../server/main");
    const paddock = await startPaddock("all", port);
    stopPaddock = paddock.stop;
    standin.deliverTo(`${baseUrl}/api/webhooks/stripe`);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stopPaddock?.();
    await standin?.close();
  });

  it("adds credits through Checkout; another open tab's balance rises without a reload", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signUp(page, baseUrl, person("Payer"));
    const before = await dataNumber(page, '[data-testid="balance"]', "data-cents");
    await markDocument(page);

    const shop = await context.newPage();
    await shop.goto(`${baseUrl}/account`);
    await shop.getByTestId("add-credits").getByRole("button", { name: "Add credits" }).click();
    const starter = shop.getByTestId("credit-packs").locator("li", { hasText: "Starter" });
    await starter.getByRole("button", { name: "Buy" }).click();
    await shop.waitForURL((u) => u.href.startsWith(`${standin.url}/checkout/`));
    await shop.getByRole("button", { name: "Pay" }).click();
    await shop.waitForURL((u) => u.href === `${baseUrl}/account?topup=success`);
    await shop.getByText("Payment received").waitFor();

    const after = await waitForValue(
      () => dataNumber(page, '[data-testid="balance"]', "data-cents"),
      (v) => v === before + 1_000,
      "the first tab's balance to rise by the pack's credits",
    );
    expect(after).toBe(before + 1_000);
    expect(await documentStillMarked(page)).toBe(true);
    await shop.reload();
    await shop.getByTestId("ledger").getByRole("cell", { name: "Top-up", exact: true }).waitFor();
    await screenshot(shop, "billing-topup");
    expect(errors).toEqual([]);
  });

  it("subscribes a workspace to a plan, shows it with its invoice, and cancels it in the portal", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signUp(page, baseUrl, person("Owner"));
    await page.goto(`${baseUrl}/workspaces`);
    await page.getByLabel("Workspace name").fill("Billing team");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("link", { name: "Plan and billing" }).click();
    await page.getByTestId("workspace-billing").waitFor();
    expect(await page.getByTestId("current-plan").textContent()).toBe("Free");

    await page.getByTestId("plans").locator("li", { hasText: "Pro" }).getByRole("button", { name: "Subscribe" }).click();
    await page.waitForURL((u) => u.href.startsWith(`${standin.url}/checkout/`));
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL((u) => u.pathname.endsWith("/billing") && u.search === "?checkout=success");
    await waitForValue(
      () => page.getByTestId("current-plan").textContent(),
      (t) => t === "Pro",
      "the Pro plan",
    );
    await page.getByTestId("invoices").getByText("paid").waitFor();
    await screenshot(page, "billing-workspace-pro");

    await page.getByRole("button", { name: "Manage subscription" }).click();
    await page.waitForURL((u) => u.href.startsWith(`${standin.url}/portal/`));
    await page.getByRole("button", { name: "Cancel subscription" }).click();
    await page.waitForURL((u) => u.pathname.endsWith("/billing"));
    await waitForValue(
      () => page.getByTestId("current-plan").textContent(),
      (t) => t === "Free",
      "the Free plan again",
    );
    expect(errors).toEqual([]);
  });
});
