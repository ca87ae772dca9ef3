// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (never
// `npx playwright install`, which downloads a browser and fails offline).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { describe, it, vi } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const requireBrowser = process.env.PADDOCK_REQUIRE_BROWSER === "1";
export const SKIP_MESSAGE = `browser tests skipped: no Chromium at ${CHROMIUM} — apt-get install chromium`;

/**
 * A suite of browser tests: skipped, with a message, on a machine without Chromium — and failing
 * instead when PADDOCK_REQUIRE_BROWSER=1 (CI), so a missing browser is never counted as a pass.
 */
export function browserDescribe(name: string, body: () => void): void {
  if (!hasChromium) {
    if (requireBrowser) {
      describe(name, () => {
        it("needs Chromium (PADDOCK_REQUIRE_BROWSER=1)", () => {
          throw new Error(SKIP_MESSAGE.replace("skipped", "cannot run"));
        });
      });
      return;
    }
    console.log(SKIP_MESSAGE);
  }
  describe.skipIf(!hasChromium)(name, body);
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects page errors so a test can assert the app never threw. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

export interface Person {
  name: string;
  email: string;
  password: string;
}

let n = 0;
export function person(label: string): Person {
  n += 1;
  const id = `${Date.now().toString(36)}${n}${Math.random().toString(36).slice(2, 6)}`;
  return { name: `${label} ${n}`, email: `${label.toLowerCase()}-${id}@example.test`, password: "correct horse battery" };
}

export async function signUp(page: Page, baseUrl: string, who: Person) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((u) => u.pathname === "/", { timeout: 15_000 });
  await waitForLive(page);
}

export async function signIn(page: Page, baseUrl: string, who: Pick<Person, "email" | "password">, next = "/") {
  await page.goto(`${baseUrl}/signin${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"), { timeout: 15_000 });
  await waitForLive(page);
}

/** Waits until the live connection indicator says the socket is connected. */
export async function waitForLive(page: Page, timeout = 15_000) {
  await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout });
}

/** A number read from a data attribute, e.g. the balance in cents. */
export async function dataNumber(page: Page, selector: string, attribute: string): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute(attribute));
}

/** Polls `read` (vi.waitFor) until `check` passes; returns that value. */
export function waitForValue<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeout = 30_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await read();
      if (!check(value)) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last value: ${JSON.stringify(value)})`);
      return value;
    },
    { timeout, interval: 150 },
  );
}

/**
 * Marks the document so a test can prove later that updates arrived without a reload
 * (a reload would start a fresh document without the mark).
 */
export async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __paddockMark?: number }).__paddockMark = 1;
  });
}
export async function documentStillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __paddockMark?: number }).__paddockMark === 1);
}
