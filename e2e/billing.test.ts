// Browser end to end with the Stripe stand-in playing Stripe: a user adds credits through Checkout and
// sees the balance rise live in another tab; a workspace owner subscribes to a plan, sees it and its
// invoice on the billing page, and cancels it in the portal.
import { afterAll, expect, it } from "vitest";
import {
  browserDescribe,
  dataNumber,
  documentStillMarked,
  markDocument,
  screenshot,
  useBrowserStack,
  waitForValue,
} from "./support/browser";
import { freePort } from "../scripts/bench/spawn-server";
import { startStripeStandin, type StripeStandin } from "../server/billing/stripe-standin";

browserDescribe("billing in the browser", () => {
  let standin: StripeStandin;
  // Registered before the stack's hooks: closed after Paddock stops.
  afterAll(async () => {
    await standin?.close();
  });
  const stack = useBrowserStack({
    async prepare() {
      standin = await startStripeStandin();
      // Stripe's return URLs are built from PUBLIC_URL, so the port is chosen first.
      const port = await freePort();
      return {
        port,
        env: {
          PUBLIC_URL: `http://localhost:${port}`,
          STRIPE_SECRET_KEY: standin.apiKey,
          STRIPE_WEBHOOK_SECRET: standin.webhookSecret,
          STRIPE_API_BASE: standin.url,
        },
      };
    },
    started: (url) => standin.deliverTo(`${url}/api/webhooks/stripe`),
  });

  it("adds credits through Checkout; another open tab's balance rises without a reload", async () => {
    const { context, page, errors } = await stack.signedUp("Payer");
    const before = await dataNumber(page, '[data-testid="balance"]', "data-cents");
    await markDocument(page);

    const shop = await context.newPage();
    await shop.goto(`${stack.url}/account`);
    await shop.getByTestId("add-credits").getByRole("button", { name: "Add credits" }).click();
    const starter = shop.getByTestId("credit-packs").locator("li", { hasText: "Starter" });
    await starter.getByRole("button", { name: "Buy" }).click();
    await shop.waitForURL((u) => u.href.startsWith(`${standin.url}/checkout/`));
    await shop.getByRole("button", { name: "Pay" }).click();
    await shop.waitForURL((u) => u.href === `${stack.url}/account?topup=success`);
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
    const { page, errors } = await stack.signedUp("Owner");
    await page.goto(`${stack.url}/workspaces`);
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
