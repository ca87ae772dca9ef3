// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (never
// `npx playwright install`, which downloads a browser and fails offline).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { ensureClientBuilt } from "../../scripts/client-build";
import { startTestPaddock } from "../../server/test/paddock-harness";

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

/** The viewport of a context unless a test asks for another. */
export const VIEWPORT = { width: 1280, height: 900 };

export interface PageInContext {
  context: BrowserContext;
  page: Page;
  /** The page's uncaught errors (see watchErrors). */
  errors: string[];
}

export interface BrowserUse {
  readonly browser: Browser;
  /** A context of its own (cookies: one person), closed after the file. */
  newContext: (options?: BrowserContextOptions) => Promise<BrowserContext>;
  /** A page in a new context, watched for errors. */
  newPage: (options?: BrowserContextOptions) => Promise<PageInContext>;
}

/**
 * Chromium for the file: launched before its tests, closed after them with every context made
 * through it. Call it inside browserDescribe.
 */
export function useBrowser(): BrowserUse {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
  });
  const use: BrowserUse = {
    get browser() {
      if (!browser) throw new Error("the browser is launched in beforeAll");
      return browser;
    },
    async newContext(options = {}) {
      const context = await use.browser.newContext({ viewport: VIEWPORT, ...options });
      contexts.push(context);
      return context;
    },
    async newPage(options) {
      const context = await use.newContext(options);
      const page = await context.newPage();
      return { context, page, errors: watchErrors(page) };
    },
  };
  return use;
}

export interface BrowserStackOptions {
  /** "all" (API, Socket.IO and workers in this process, the default) or "api" alone. */
  role?: "all" | "api";
  /** Configuration set before Paddock's modules are imported (they read it then). */
  env?: Record<string, string>;
  /** Runs first, e.g. to start a stand-in; may fix the port and add configuration that depends on it. */
  prepare?: () => Promise<{ port?: number; env?: Record<string, string> } | void>;
  /** Runs once Paddock listens, with its URL. */
  started?: (url: string) => void | Promise<void>;
}

export interface BrowserStack extends BrowserUse {
  /** Paddock's address, e.g. http://localhost:41234. */
  readonly url: string;
  /** A page in a new context, signed up as a new person named after `label`. */
  signedUp: (label: string, options?: BrowserContextOptions) => Promise<PageInContext & { who: Person }>;
  /** A page in a new context, signed in as `who`, at `next`. */
  signedIn: (who: Pick<Person, "email" | "password">, next?: string, options?: BrowserContextOptions) => Promise<PageInContext>;
}

/**
 * Everything a browser test file needs: the built client, a Paddock serving it (started before the
 * file's tests, stopped after them) and Chromium (see useBrowser). Call it inside browserDescribe;
 * the accessors work from beforeAll on.
 */
export function useBrowserStack(opts: BrowserStackOptions = {}): BrowserStack {
  let url: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const prepared = (await opts.prepare?.()) ?? {};
    await ensureClientBuilt();
    const env = { SERVE_CLIENT: "true", ...opts.env, ...prepared.env };
    const paddock = await startTestPaddock(env, opts.role ?? "all", prepared.port ?? 0);
    url = paddock.url;
    stop = paddock.stop;
    await opts.started?.(url);
  }, 180_000);
  afterAll(async () => {
    await stop?.();
  });
  // Registered after Paddock's hooks: launched after it starts, closed before it stops.
  const use = useBrowser();
  const stack: BrowserStack = {
    get browser() {
      return use.browser;
    },
    newContext: use.newContext,
    newPage: use.newPage,
    get url() {
      if (!url) throw new Error("Paddock is started in beforeAll");
      return url;
    },
    async signedUp(label, options) {
      const opened = await use.newPage(options);
      const who = person(label);
      await signUp(opened.page, stack.url, who);
      return { ...opened, who };
    },
    async signedIn(who, next = "/", options) {
      const opened = await use.newPage(options);
      await signIn(opened.page, stack.url, who, next);
      return opened;
    },
  };
  return stack;
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
