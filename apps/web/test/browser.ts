// Headless Chromium (Debian's package) driven by playwright-core. Each visitor gets a context of
// its own (its own localStorage, so its own token); errors thrown in a page fail the test.
import assert from "node:assert/strict";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { type Fan, webUrl } from "./env.js";

// The page's tests wait on conditions, never on fixed sleeps; the machine is slow and shared.
export const TIMEOUT = 30_000;

export async function launch(): Promise<Browser> {
  // Playwright gives every launch a fresh, empty profile (its own --user-data-dir in a new
  // temporary directory, removed on close); it refuses one passed in `args`.
  return chromium.launch({
    executablePath: process.env.THESET_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    timeout: 60_000,
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

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page; `assertHealthy` fails on any. */
  errors: string[];
}

/** A visitor with a page at `path`, signed in as `who` (through ?token=, as a developer would). */
export async function visit(browser: Browser, path: string, who?: Fan): Promise<Visitor> {
  const context = await browser.newContext();
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  const url = new URL(webUrl + path);
  if (who) url.searchParams.set("token", who.token);
  await page.goto(url.toString());
  if (who) await page.getByTestId("signed-in-as").waitFor();
  return { context, page, errors };
}

export function assertHealthy(visitor: Visitor): void {
  assert.deepEqual(visitor.errors, [], "no uncaught errors in the page");
}

/** Waits until the locator's text, trimmed, is `expected`. */
export async function textBecomes(locator: Locator, expected: string, timeout = TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout }))?.trim() ?? null;
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`expected "${expected}", the page still shows "${last}" after ${timeout} ms`);
}

/** A song row of the page's crowd setlist. */
export function songRow(page: Page, setlistSongId: string): Locator {
  return page.locator(`[data-testid=crowd-setlist] [data-song-id="${setlistSongId}"]`);
}

/** Marks the document, to show later that the page was never reloaded. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { theSetMark?: boolean }).theSetMark = true;
  });
}

export async function assertNotReloaded(page: Page): Promise<void> {
  const marked = await page.evaluate(() => (window as unknown as { theSetMark?: boolean }).theSetMark === true);
  assert.ok(marked, "the page was not reloaded");
}
