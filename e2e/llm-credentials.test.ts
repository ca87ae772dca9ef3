// Browser: an admin manages the LLM credentials pool — adds a credential (the key never reaches the
// page again), sees a bad URL refused under its field, disables one, sees a cooldown and ends it. A
// member has no link to the page and is told it is for admins.
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserDescribe, screenshot, useBrowserStack } from "./support/browser";

const KEY = "sk-proj-e2e-0123456789-WXYZ";

browserDescribe("LLM credentials page", () => {
  const stack = useBrowserStack({ role: "api" });

  const rowOf = (page: Page, name: string) => page.locator(`[data-testid="llm-credential"][data-name="${name}"]`);

  it("lets an admin add, disable and un-cool credentials without ever showing a key again", async () => {
    const { db } = await import("../server/lib/db");
    const { makeUser } = await import("../server/test/helpers");
    const admin = await makeUser({ role: "admin" });
    const { page, errors } = await stack.signedIn({ email: admin.email, password: "correct horse battery" });
    await page.getByRole("link", { name: "LLM keys" }).click();
    await page.getByRole("heading", { name: "LLM credentials" }).waitFor();
    await page.getByText("No credentials yet").waitFor();

    const form = page.getByTestId("llm-credential-form");
    await form.getByLabel("Name").fill("Team OpenAI");
    await form.getByLabel("Base URL").fill("not a url");
    await form.getByLabel("API key").fill(KEY);
    await form.getByRole("button", { name: "Add credential" }).click();
    await expect.poll(() => form.getByTestId("field-error").first().textContent()).toMatch(/http:\/\/ or https:\/\/ URL/);
    expect(await db.llmCredential.count()).toBe(0);

    await form.getByLabel("Base URL").fill("https://llm.example.test/v1");
    await form.getByRole("button", { name: "Add credential" }).click();
    const row = rowOf(page, "Team OpenAI");
    await row.waitFor();
    expect(await row.getAttribute("data-state")).toBe("active");
    expect(await row.textContent()).toContain("…WXYZ");
    expect(await form.getByLabel("API key").inputValue()).toBe("");
    expect(await page.content()).not.toContain(KEY);

    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.getAttribute("data-state")).toBe("disabled");
    await row.getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => row.getAttribute("data-state")).toBe("active");

    // A 429 seen by the bridge: the page shows the cooldown, and an admin can end it.
    await db.llmCredential.updateMany({
      data: {
        cooldownUntil: new Date(Date.now() + 10 * 60_000),
        lastError: "HTTP 429 insufficient_quota: quota exceeded",
        lastErrorAt: new Date(),
      },
    });
    await page.reload();
    await expect.poll(() => row.getAttribute("data-state")).toBe("cooling");
    expect(await row.textContent()).toMatch(/back in \d+m/);
    expect(await row.textContent()).toContain("insufficient_quota");
    await screenshot(page, "llm-credentials");
    await row.getByRole("button", { name: "End cooldown" }).click();
    await expect.poll(() => row.getAttribute("data-state")).toBe("active");
    expect((await db.llmCredential.findFirstOrThrow()).cooldownUntil).toBeNull();
    expect(errors).toEqual([]);
  });

  it("shows members neither the link nor the pool", async () => {
    const { makeUser } = await import("../server/test/helpers");
    const member = await makeUser();
    const { page } = await stack.signedIn({ email: member.email, password: "correct horse battery" }, "/admin/llm");
    await page.getByText("Admins only").waitFor();
    expect(await page.getByRole("link", { name: "LLM keys" }).count()).toBe(0);
    expect(await page.getByTestId("llm-credentials").count()).toBe(0);
  });
});
