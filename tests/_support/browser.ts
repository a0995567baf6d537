/**
 * A real browser for the dashboard's tests and benchmark: Debian's chromium
 * driven headless by playwright-core (npm). No chromium is a failure with
 * the remedy, never a skip (CI's .ci/run installs it).
 */
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = Deno.env.get("CAXTON_CHROMIUM") ?? "/usr/bin/chromium";

/** Where screenshots of test runs go (build/ is not committed). */
export const SCREENSHOTS = new URL("../../build/ui-screenshots/", import.meta.url);

/** A launched browser; disposing closes it. */
export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
  /** A fresh page at a laptop's size, with console errors collected. */
  page(options?: { width?: number; height?: number }): Promise<Page & { errors: string[] }>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const found = await Deno.stat(CHROMIUM).catch(() => null);
  if (!found?.isFile) {
    throw new Error(
      `Cannot run the dashboard's browser tests: no chromium at ${CHROMIUM}; ` +
        "install it (apt-get install chromium, as .ci/run does) or set CAXTON_CHROMIUM",
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  return {
    browser,
    async page({ width = 1280, height = 860 } = {}) {
      const page = await browser.newPage({ viewport: { width, height } }) as Page & {
        errors: string[];
      };
      page.errors = [];
      page.on("pageerror", (e) => page.errors.push(e.message));
      // Failed responses are judged by URL (a standalone node's /cluster is a 404 by design).
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
          page.errors.push(m.text());
        }
      });
      page.on("response", (r) => {
        if (r.status() >= 400 && !r.url().endsWith("/api/v1/cluster")) {
          page.errors.push(`${r.status()} ${r.url()}`);
        }
      });
      return page;
    },
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}

/** Saves a full-page screenshot under build/ui-screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
  await page.screenshot({ path, fullPage: true });
  return path;
}
